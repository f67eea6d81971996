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
