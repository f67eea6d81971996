"""The practice library on PostgreSQL: a tenant's practices are its own; the published library is the one
cross-tenant read (visible when published, 404 when not); adoptions and their spread."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.integration.networks.conftest import OTHER, Net


async def practice(net: Net, **extra: Any) -> dict[str, Any]:
    body = {"title": "Number talks", "description": "Ten minutes a day of mental math with explanation",
            "origin_school_id": str(net.schools[0]), "contributor_ids": [str(net.people[4])],
            "evidence": {"visit_ids": [], "record_ids": []}, "stage": "fair_to_good", "tags": ["talk"], **extra}
    return (await net.post("/practices", body)).json()  # type: ignore[no-any-return]


async def test_the_published_library_is_the_one_cross_tenant_read(net: Net) -> None:
    p = await practice(net)
    # not published: another tenant sees nothing, neither in the library nor directly
    assert (await net.client.get(f"/library/{p['id']}", headers=net.auth(OTHER))).status_code == 404
    assert (await net.client.get(f"/practices/{p['id']}", headers=net.auth(OTHER))).status_code == 404
    assert (await net.client.get("/library", headers=net.auth(OTHER))).json()["items"] == []
    own = (await net.client.get(f"/library/{p['id']}", headers=net.auth())).json()  # how it would read there
    assert own["published_at"] is None and own["published_by_tenant"] == "district-a"
    refused = await net.post(f"/practices/{p['id']}/adoptions", {"school_id": str(net.foreign_school),
                             "adopted_on": "2026-11-01", "outcome_notes": "n"}, tenant=OTHER, status=404)
    assert refused.json()["status"] == 404
    published = await net.client.patch(f"/practices/{p['id']}", json={"visibility": "published"},
                                       headers={**net.auth(), "If-Match": '"1"'})
    assert published.status_code == 200 and published.json()["visibility"] == "published"
    seen = await net.client.get(f"/library/{p['id']}", headers=net.auth(OTHER))
    assert seen.status_code == 200
    assert seen.json()["published_by_tenant"] == "district-a"
    assert "contributor_ids" not in seen.json() and str(net.people[4]) not in seen.text
    assert [x["id"] for x in (await net.client.get("/library", headers=net.auth(OTHER))).json()["items"]] == [p["id"]]
    # still not another tenant's to read or change as its own
    assert (await net.client.get(f"/practices/{p['id']}", headers=net.auth(OTHER))).status_code == 404
    again = await net.client.patch(f"/practices/{p['id']}", json={"title": "Mine now"},
                                   headers={**net.auth(OTHER), "If-Match": '"2"'})
    assert again.status_code == 404
    adopted = await net.post(f"/practices/{p['id']}/adoptions", {"school_id": str(net.foreign_school),
                             "adopted_on": "2026-11-01", "outcome_notes": "Tried in grade 3"}, tenant=OTHER)
    assert adopted.json()["practice_tenant_id"] == "district-a"
    assert (await net.client.get(f"/library/{p['id']}", headers=net.auth())).json()["spread"]["schools"] == 1


async def test_adoptions_and_spread(net: Net) -> None:
    n = await net.network()
    p = await practice(net, visibility="published", network_id=n["id"])
    for school in net.schools[1:3]:
        await net.post(f"/practices/{p['id']}/adoptions", {"school_id": str(school), "network_id": n["id"],
                       "adopted_on": datetime.now(UTC).date().isoformat(), "outcome_notes": "More students explain"})
    again = await net.post(f"/practices/{p['id']}/adoptions", {"school_id": str(net.schools[1]),
                           "adopted_on": "2026-12-02", "outcome_notes": "x"}, status=409)
    assert again.json()["errors"][0]["field"] == "school_id"
    own = await net.post(f"/practices/{p['id']}/adoptions", {"school_id": str(net.schools[0]),
                         "adopted_on": "2026-12-02", "outcome_notes": "x"}, status=409)
    assert own.json()["errors"][0]["field"] == "school_id"
    spread = (await net.client.get(f"/practices/{p['id']}", headers=net.auth())).json()["spread"]
    assert spread["schools"] == 2 and spread["networks"] == 1 and spread["days_to_first_adoption"] >= 0
    types = [r["type"] for r in await net.rows("SELECT type FROM outbox WHERE topic = 'networks.practice'")]
    assert types == ["org.improvenet.networks.practice.published"] + ["org.improvenet.networks.practice.adopted"] * 2


async def test_bad_practices_name_the_field(net: Net) -> None:
    r = await net.post("/practices", {"title": "t", "description": "d", "origin_school_id": str(net.schools[0]),
                                      "contributor_ids": [str(net.people[0]), str(net.foreign_person)],
                                      "stage": "fair_to_good"}, status=422)
    assert [e["field"] for e in r.json()["errors"]] == ["contributor_ids[1]"]
    assert await net.sql("SELECT count(*) FROM practices") == 0


async def test_a_network_practice_is_read_only_by_the_networks_schools(net: Net) -> None:
    """visibility `network`: tokens limited to one of the network's schools read it (list, read, library view,
    adoptions), a school outside the network finds nothing; the origin school and unrestricted tokens always."""
    n = await net.network(schools=net.schools[:2])
    p = await practice(net, network_id=n["id"], visibility="network")
    member, outsider, origin = (net.auth(schools=[str(net.schools[i])]) for i in (1, 2, 0))
    for path in (f"/practices/{p['id']}", f"/library/{p['id']}", f"/practices/{p['id']}/adoptions"):
        assert (await net.client.get(path, headers=outsider)).status_code == 404, path
        for allowed in (member, origin, net.auth()):
            assert (await net.client.get(path, headers=allowed)).status_code == 200, path
    assert (await net.client.get("/practices", headers=outsider)).json()["items"] == []
    for allowed in (member, origin, net.auth()):
        assert [x["id"] for x in (await net.client.get("/practices", headers=allowed)).json()["items"]] == [p["id"]]
    refused = await net.client.post(f"/practices/{p['id']}/adoptions", headers=outsider, json={
        "school_id": str(net.schools[2]), "adopted_on": "2026-12-01", "outcome_notes": "n"})
    assert refused.status_code == 404
    adopted = await net.client.post(f"/practices/{p['id']}/adoptions", headers=member, json={
        "school_id": str(net.schools[1]), "network_id": n["id"], "adopted_on": "2026-12-01", "outcome_notes": "n"})
    assert adopted.status_code == 201, adopted.text
    # reading is not revising: only the origin school's tokens (or the whole tenant's) change it
    revised = await net.client.patch(f"/practices/{p['id']}", json={"title": "Mine"},
                                     headers={**member, "If-Match": '"1"'})
    assert revised.status_code == 404
    assert await net.sql("SELECT count(*) FROM adoptions") == 1


async def test_a_tenant_practice_is_read_by_every_token_of_the_tenant(net: Net) -> None:
    n = await net.network(schools=net.schools[:2])
    p = await practice(net, network_id=n["id"], visibility="network")
    outsider = net.auth(schools=[str(net.schools[2])])
    assert (await net.client.get(f"/practices/{p['id']}", headers=outsider)).status_code == 404
    widened = await net.client.patch(f"/practices/{p['id']}", json={"visibility": "tenant"},
                                     headers={**net.auth(), "If-Match": '"1"'})
    assert widened.status_code == 200 and widened.json()["visibility"] == "tenant"
    seen = await net.client.get(f"/practices/{p['id']}", headers=outsider)
    assert seen.status_code == 200 and seen.json()["visibility"] == "tenant"
    assert [x["id"] for x in (await net.client.get("/practices", headers=outsider)).json()["items"]] == [p["id"]]
    adopted = await net.client.post(f"/practices/{p['id']}/adoptions", headers=outsider, json={
        "school_id": str(net.schools[2]), "adopted_on": "2026-12-01", "outcome_notes": "Tried in grade 5"})
    assert adopted.status_code == 201, adopted.text
    listed = (await net.client.get(f"/practices/{p['id']}/adoptions", headers=outsider)).json()
    assert [a["school_id"] for a in listed] == [str(net.schools[2])]
    # still the tenant's own: another tenant finds it neither as a practice nor in the library
    assert (await net.client.get(f"/practices/{p['id']}", headers=net.auth(OTHER))).status_code == 404
    assert (await net.client.get(f"/library/{p['id']}", headers=net.auth(OTHER))).status_code == 404


async def test_a_network_practice_without_a_network_is_its_origin_schools(net: Net) -> None:
    p = await practice(net)  # visibility network (the default), no network_id
    assert (await net.client.get(f"/practices/{p['id']}", headers=net.auth(schools=[str(net.schools[0])]))
            ).status_code == 200
    assert (await net.client.get(f"/practices/{p['id']}", headers=net.auth(schools=[str(net.schools[1])]))
            ).status_code == 404
