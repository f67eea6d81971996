"""Networks and memberships on PostgreSQL: forming, norms, host rotation, joining, bad input writes nothing."""

from __future__ import annotations

import uuid

from tests.integration.networks.conftest import OTHER, Net


async def test_a_network_spans_districts_and_versions_its_norms(net: Net) -> None:
    n = await net.network()
    assert sorted(n["district_ids"]) == sorted(str(d) for d in net.districts)
    assert n["norms"]["number"] == 1 and n["norms"]["norms"] == ["Describe, do not judge"]
    r = await net.client.put(f"/networks/{n['id']}/norms", json={"norms": ["Describe", "Start on time"]},
                             headers={**net.auth(), "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["norms"]["number"] == 2 and r.headers["etag"] == '"2"'
    stale = await net.client.put(f"/networks/{n['id']}/norms", json={"norms": ["x"]},
                                 headers={**net.auth(), "If-Match": '"1"'})
    assert stale.status_code == 412
    assert await net.sql("SELECT count(*) FROM outbox WHERE type = 'org.improvenet.networks.network.formed'") == 1


async def test_bad_networks_name_the_field_and_write_nothing(net: Net) -> None:
    for schools, field in [([uuid.uuid4()], "school_ids[0]"), ([net.schools[0], net.foreign_school], "school_ids[1]")]:
        r = await net.post("/networks", {"name": "N", "kind": "mixed", "focus": "f",
                                         "school_ids": [str(s) for s in schools]}, status=422)
        assert r.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in r.json()["errors"]] == [field]
    assert await net.sql("SELECT count(*) FROM networks") == 0
    assert await net.sql("SELECT count(*) FROM outbox") == 0


async def test_another_tenants_network_is_not_found(net: Net) -> None:
    n = await net.network()
    assert (await net.client.get(f"/networks/{n['id']}", headers=net.auth(OTHER))).status_code == 404
    listed = (await net.client.get("/networks", headers=net.auth(OTHER))).json()
    assert listed["items"] == []


async def test_host_rotation_picks_the_school_that_hosted_least_recently(net: Net) -> None:
    n = await net.network()
    for person in range(4):
        await net.member(n, person)
    rotation = (await net.client.get(f"/networks/{n['id']}/host-rotation", headers=net.auth())).json()
    assert rotation["next_host_school_id"] == str(net.schools[0])  # nobody hosted: the first school
    for day, host in [("2026-09-10", 0), ("2026-10-10", 1), ("2026-11-10", 2)]:
        await net.post("/meetings", {"network_id": n["id"], "meeting_date": day, "meeting_type": "learning_session",
                                     "host_school_id": str(net.schools[host]), "agenda": [{"title": "a"}],
                                     "attendee_ids": [str(net.people[0])], "chair_id": str(net.people[0]),
                                     "chair_reason": "rotation"})
    rotation = (await net.client.get(f"/networks/{n['id']}/host-rotation", headers=net.auth())).json()
    assert rotation["next_host_school_id"] == str(net.schools[3])


async def test_membership_rules(net: Net) -> None:
    n = await net.network(schools=net.schools[:2])
    m = await net.member(n, 0, tags=["math", "talk"])
    assert m["tags"] == ["math", "talk"] and m["role"] == "member"
    outside = await net.post(f"/networks/{n['id']}/members", {
        "educator_id": str(net.people[2]), "school_id": str(net.schools[2]), "starts_on": "2026-09-01"}, status=422)
    assert outside.json()["errors"][0]["field"] == "school_id"
    assert "network" in outside.json()["detail"]
    foreign = await net.post(f"/networks/{n['id']}/members", {
        "educator_id": str(net.foreign_person), "school_id": str(net.schools[0]), "starts_on": "2026-09-01"},
        status=422)
    assert foreign.json()["errors"][0]["field"] == "educator_id"
    twice = await net.post(f"/networks/{n['id']}/members", {
        "educator_id": str(net.people[0]), "school_id": str(net.schools[0]), "starts_on": "2026-09-01"}, status=409)
    assert twice.json()["errors"][0]["field"] == "educator_id"
    assert await net.sql("SELECT count(*) FROM memberships") == 1
    left = await net.client.post(f"/memberships/{m['id']}/end", json={"ends_on": "2026-12-01"},
                                 headers={**net.auth(), "If-Match": '"1"'})
    assert left.status_code == 200 and left.json()["ends_on"] == "2026-12-01"
    types = [r["type"] for r in await net.rows("SELECT type FROM outbox ORDER BY seq")]
    assert types[-2:] == ["org.improvenet.networks.member.joined", "org.improvenet.networks.member.left"]
    other = await net.client.get(f"/memberships/{m['id']}", headers=net.auth(OTHER))
    assert other.status_code == 404


async def test_a_school_limited_token_sees_and_names_only_its_schools(net: Net) -> None:
    mine, theirs = net.schools[1], net.schools[0]
    limited = net.auth(schools=[str(mine)])
    n = await net.network(schools=[theirs])
    p = (await net.post("/problems-of-practice", {"school_id": str(theirs), "statement": "s", "evidence": "e",
                                                  "theory_of_action": "t"})).json()
    c = (await net.post("/commitments", {"school_id": str(theirs), "description": "d", "due_on": "2026-12-24"})).json()
    for path in (f"/networks/{n['id']}", f"/problems-of-practice/{p['id']}", f"/commitments/{c['id']}",
                 f"/networks/{n['id']}/graph", f"/networks/{n['id']}/leadership"):
        assert (await net.client.get(path, headers=limited)).status_code == 404, path
    for path in ("/networks", "/problems-of-practice", "/commitments"):
        assert (await net.client.get(path, headers=limited)).json()["items"] == [], path
    refused = await net.client.post("/commitments", headers=limited, json={
        "school_id": str(theirs), "description": "d", "due_on": "2026-12-24"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "school_id"
    ok = await net.client.post("/commitments", headers=limited, json={
        "school_id": str(mine), "description": "d", "due_on": "2026-12-24"})
    assert ok.status_code == 201
    both = await net.network(schools=[theirs, mine])
    assert (await net.client.get(f"/networks/{both['id']}", headers=limited)).status_code == 200


async def test_lists_count_on_request_and_page_in_order(net: Net) -> None:
    made = [await net.network(name=f"Network {i}") for i in range(5)]
    seen, token, totals = [], None, set()
    while True:
        params = {"page_size": 2, "totalCount": "true", **({"page_token": token} if token else {})}
        r = await net.client.get("/networks", params=params, headers=net.auth())
        assert r.status_code == 200, r.text
        totals.add(r.headers["total-count"])
        seen += [n["id"] for n in r.json()["items"]]
        token = r.json()["next_page_token"]
        if not token:
            break
    assert seen == sorted(n["id"] for n in made) and totals == {"5"}
    limited = net.auth(schools=[str(net.schools[1])])
    assert (await net.client.get("/networks", params={"totalCount": "true"}, headers=limited)
            ).headers["total-count"] == "5"  # every network spans all four schools here
    refused = await net.client.get("/networks", params={"page": 2}, headers=net.auth())
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "page"
