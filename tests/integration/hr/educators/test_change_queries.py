"""Change queries on hr (libs/common/changes.py), as a district's sync client uses them: a full load, then
only what changed, deletes included, and a 410 once it falls behind the tombstones' retention."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.integration.change_queries import Sync, sync_client

TRACKED = ["district", "school", "educator"]
SCOPES = ["hr:read", "hr:write", "hr:pii"]


@pytest.fixture
async def sync(hr_database: str, pg_server: str, keys_dir: Path, make_token: Callable[..., str]
               ) -> AsyncIterator[Sync]:
    async with sync_client("hr", pg_server, hr_database, keys_dir, make_token, TRACKED, SCOPES) as client:
        yield client


async def test_a_sync_client_gets_everything_then_only_what_changed_and_what_was_deleted(sync: Sync) -> None:
    school = await sync.create("/schools", {"name": "Alder Creek", "ed_fi_id": "255901001"})
    people = [await sync.create("/educators", {"given_name": f"G{i}", "family_name": "F", "school_id": school["id"],
                                               "staff_unique_id": f"E-{i}"}) for i in range(3)]
    assert (await sync.available())["newest_change_version"] == 0  # nothing numbered before the sequencer runs
    assert await sync.sequence() == 4

    # 1. the first sync: note newest, load everything
    first = await sync.available()
    assert first["oldest_change_version"] == 0 and first["newest_change_version"] > 0
    loaded = await sync.every("/educators", max_change_version=first["newest_change_version"])
    assert {e["id"] for e in loaded} == {p["id"] for p in people}

    # 2. changes: one updated, one deleted, one created
    changed, deleted = people[0], people[1]
    r = await sync.client.patch(f"/educators/{changed['id']}", json={"position": "Grade 4 teacher"},
                                headers={**sync.headers, "If-Match": f'"{changed["version"]}"'})
    assert r.status_code == 200, r.text
    assert (await sync.client.delete(f"/educators/{deleted['id']}", headers=sync.headers)).status_code == 204
    added = await sync.create("/educators", {"given_name": "New", "family_name": "F", "staff_unique_id": "E-9"})
    window = {"min_change_version": first["newest_change_version"] + 1}
    # not numbered yet: an uncommitted-then-committed change never slips below a version a client passed
    assert await sync.every("/educators", **window) == []
    assert await sync.sequence() == 3  # the update, the new educator, the tombstone
    second = await sync.available()
    window["max_change_version"] = second["newest_change_version"]
    assert {e["id"] for e in await sync.every("/educators", **window)} == {changed["id"], added["id"]}
    tombstones = await sync.every("/educators/deletes", **window)
    assert [(t["id"], t["external_ids"]) for t in tombstones] == [(deleted["id"], {"staff_unique_id": "E-1"})]
    assert first["newest_change_version"] < tombstones[0]["change_version"] <= second["newest_change_version"]
    counted = await sync.client.get("/educators", params={**window, "totalCount": "true"}, headers=sync.headers)
    assert counted.headers["total-count"] == "2"

    # 3. the next sync from where this one ended: nothing
    after = {"min_change_version": second["newest_change_version"] + 1}
    assert await sync.every("/educators", **after) == [] and await sync.every("/educators/deletes", **after) == []
    assert await sync.sequence() == 0  # nothing left to number: the sequencer's own writes are not changes

    # other tenants and schools never see these
    other = sync.auth("district-b")
    assert await sync.every("/educators/deletes", headers=other, min_change_version=0) == []
    assert (await sync.available(other))["newest_change_version"] == 0
    elsewhere = sync.auth(schools=["00000000-0000-4000-8000-000000000001"])
    assert await sync.every("/educators/deletes", headers=elsewhere, min_change_version=0) == []
    mine = sync.auth(schools=[school["id"]])
    assert len(await sync.every("/educators/deletes", headers=mine, min_change_version=0)) == 1


async def test_below_the_retention_horizon_a_change_query_is_410_and_a_full_load_still_works(sync: Sync) -> None:
    school = await sync.create("/schools", {"name": "Birch Hollow", "sourced_id": "s-birch"})
    gone = await sync.create("/schools", {"name": "Closed", "sourced_id": "s-closed"})
    assert (await sync.client.delete(f"/schools/{gone['id']}", headers=sync.headers)).status_code == 204
    held = await sync.expire_tombstones()
    await sync.assert_expired("/schools/deletes", held)
    await sync.assert_expired("/schools", held)
    assert [s["id"] for s in await sync.every("/schools")] == [school["id"]]  # a full load needs no window
    fresh = await sync.every("/schools", min_change_version=held["oldest_change_version"])
    assert fresh == []  # nothing changed since the horizon
    backwards = await sync.client.get("/schools", params={"min_change_version": 5, "max_change_version": 2},
                                      headers=sync.headers)
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "max_change_version"
