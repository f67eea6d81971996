"""Districts and schools on PostgreSQL: lifecycle with events, school bulk upsert, bad references."""

from __future__ import annotations

import uuid

from tests.integration.hr.conftest import Pipeline


async def test_district_and_school_lifecycle(api: Pipeline) -> None:
    district = await api.ok("POST", "/districts", {"name": "North", "ed_fi_id": "255901"})
    school = await api.ok("POST", "/schools", {"name": "Hamilton", "district_id": district["id"]})
    renamed = await api.request("PATCH", f"/districts/{district['id']}", {"name": "North District"},
                                headers={"If-Match": '"1"'})
    assert renamed.status_code == 200 and renamed.headers["etag"] == '"2"'
    same = await api.request("PATCH", f"/schools/{school['id']}", {"name": "Hamilton"}, headers={"If-Match": '"1"'})
    assert same.json()["version"] == 1  # nothing changed: no new version, no event
    assert (await api.request("DELETE", f"/schools/{school['id']}")).status_code == 204
    types = [e["type"].removeprefix("org.improvenet.hr.") for e in await api.events()]
    assert types == ["district.registered", "school.registered", "district.updated", "school.removed"]
    foreign = await api.post("/schools", {"name": "X", "district_id": district["id"]}, tenant="district-b")
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "district_id"


async def test_school_bulk_upsert_is_idempotent_and_refuses_bad_batches_whole(api: Pipeline) -> None:
    items = [{"name": f"School {i}", "sourced_id": f"sch-{i}"} for i in range(5)]
    first = await api.ok("POST", "/schools/bulk", {"items": items})
    assert (first["created"], first["updated"], first["unchanged"]) == (5, 0, 0)
    items[2]["name"] = "Renamed"
    again = await api.ok("POST", "/schools/bulk", {"items": items})
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 4)
    assert [i["id"] for i in again["items"]] == [i["id"] for i in first["items"]]
    before = await api.count("outbox")
    bad = await api.post("/schools/bulk", {"items": [{"name": "A", "sourced_id": "x"},
                                                     {"name": "B", "sourced_id": "x"},
                                                     {"name": "C", "sourced_id": "y",
                                                      "district_id": str(uuid.uuid4())}]})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"items[1].sourced_id", "items[2].district_id"}
    assert await api.count("school") == 5 and await api.count("outbox") == before
    scoped = await api.client.post("/schools/bulk", json={"items": items},
                                   headers=api.auth(schools=[first["items"][0]["id"]]))
    assert scoped.status_code == 403
