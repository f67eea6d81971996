"""Change queries on observations (libs/common/changes.py), as a district's sync client uses them for
protocols, visits and the practice-quality index: a full load, then only what changed, deletes included,
and a 410 once it falls behind the tombstones' retention.

observations has no delete route for these: the deletes here are the database's (an operator's), which the
tombstone trigger records all the same."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import new_database
from tests.integration.change_queries import Sync, sync_client
from tests.integration.observations.conftest import LOOK_FORS, SCOPES, Obs
from tests.integration.observations.quality.test_publication import debriefed

TRACKED = ["protocols", "visits", "quality_sums"]
PERIOD = "2026-27-T1"  # the period of the fixture's visit date


@pytest.fixture
async def database(pg_server: str) -> str:
    return await new_database(pg_server, "obs_changes", service="observations")


@pytest.fixture
async def sync(database: str, pg_server: str, keys_dir: Path, make_token: Callable[..., str]
               ) -> AsyncIterator[Sync]:
    async with sync_client("observations", pg_server, database, keys_dir, make_token, TRACKED, SCOPES) as client:
        yield client


@pytest.fixture
async def rounds(sync: Sync, database: str, make_token: Callable[..., str],
                 monkeypatch: pytest.MonkeyPatch) -> Obs:
    """The observations fixture's helpers on the sync client's app, its directory replica seeded."""
    monkeypatch.setenv("OBSERVATIONS_QUALITY_MIN_CLASSROOMS", "2")  # so the listed index shows its figures
    obs = Obs(sync.client, database, make_token)
    await obs.seed_directory()
    return obs


async def listed(sync: Sync, path: str, headers: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
    """An unpaged list (`/protocols` answers a plain list: the SDK reads it so)."""
    r = await sync.client.get(path, headers=headers or sync.headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def delete_rows(sync: Sync, *statements: str) -> None:
    async with sync.app.state.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {i["id"] for i in items}


async def test_a_sync_client_gets_everything_then_only_what_changed_and_what_was_deleted(
        sync: Sync, rounds: Obs) -> None:
    protocol = await rounds.protocol()
    walk = await sync.create("/protocols", {"name": "Walks", "purpose": "learning_walk", "look_fors": LOOK_FORS})
    version = protocol["versions"][0]["id"]
    planned = [await sync.create("/visits", rounds.visit_body(version)) for _ in range(3)]
    first_round = await debriefed(rounds, rooms=2, version=version)  # the school's index for the period
    assert (await sync.available())["newest_change_version"] == 0  # nothing numbered before the sequencer runs
    assert await sync.sequence() == 2 + 4 + 3  # protocols, visits, the index's sums ("", T1, S1)

    # 1. the first sync: note newest, load everything
    first = await sync.available()
    assert first["oldest_change_version"] == 0 and first["newest_change_version"] > 0
    full: dict[str, Any] = {"max_change_version": first["newest_change_version"]}
    assert ids(await listed(sync, "/protocols", **full)) == {protocol["id"], walk["id"]}
    loaded = await sync.every("/visits", **full)
    assert ids(loaded) == ids([*planned, first_round])
    assert all(c["teacher_id"] is None for v in loaded for c in v["classrooms"])  # identity: one visit at a time
    [index] = await sync.every("/quality-index", **full)
    read = (await rounds.ok("GET", f"/schools/{rounds.school}/quality?period={PERIOD}")).json()
    assert {k: v for k, v in index.items() if k != "id"} == read  # the listed index is the school's
    assert (index["observed_classrooms"], index["published"]) == (2, True)

    # 2. changes: a visit moved, a protocol's new version, the index grown; a visit and a protocol deleted;
    # a protocol and a (debriefed) visit created
    moved, deleted = planned[0], planned[1]
    r = await sync.client.post(f"/visits/{moved['id']}/transitions", json={"to": "in_progress"},
                               headers={**sync.headers, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    await rounds.ok("POST", f"/protocols/{protocol['id']}/versions", {"look_fors": LOOK_FORS}, 201)
    second_round = await debriefed(rounds, rooms=2, version=version)
    added = await sync.create("/protocols", {"name": "Peers", "purpose": "peer_observation", "look_fors": LOOK_FORS})
    await delete_rows(sync, f"DELETE FROM classrooms WHERE visit_id = '{deleted['id']}'",
                      f"DELETE FROM visits WHERE id = '{deleted['id']}'",
                      f"DELETE FROM protocol_versions WHERE protocol_id = '{walk['id']}'",
                      f"DELETE FROM protocols WHERE id = '{walk['id']}'")
    window: dict[str, Any] = {"min_change_version": first["newest_change_version"] + 1}
    # not numbered yet: an uncommitted-then-committed change never slips below a version a client passed
    assert await listed(sync, "/protocols", **window) == []
    assert await sync.every("/visits", **window) == [] and await sync.every("/quality-index", **window) == []
    assert await sync.sequence() == 2 + 2 + 3 + 2  # protocols, visits, the index's sums, two tombstones
    second = await sync.available()
    window["max_change_version"] = second["newest_change_version"]
    assert ids(await listed(sync, "/protocols", **window)) == {protocol["id"], added["id"]}
    assert ids(await sync.every("/visits", **window)) == {moved["id"], second_round["id"]}
    [grown] = await sync.every("/quality-index", **window)
    # its sums changed, so it is listed; its figures are still the threshold's publication (the next one is
    # at period close): the read around a debrief never differs by that visit's classrooms
    assert grown["id"] == index["id"] and grown["observed_classrooms"] == 2 and grown == index
    for path, gone in (("/visits/deletes", deleted), ("/protocols/deletes", walk)):
        tombstones = await sync.every(path, **window)
        assert [(t["id"], t["external_ids"]) for t in tombstones] == [(gone["id"], {})]
        assert first["newest_change_version"] < tombstones[0]["change_version"] <= second["newest_change_version"]
    assert await sync.every("/quality-index/deletes", **window) == []
    counted = await sync.client.get("/visits", params={**window, "totalCount": "true"}, headers=sync.headers)
    assert counted.headers["total-count"] == "2"

    # 3. the next sync from where this one ended: nothing
    after: dict[str, Any] = {"min_change_version": second["newest_change_version"] + 1}
    assert await listed(sync, "/protocols", **after) == []
    for path in ("/visits", "/quality-index", "/visits/deletes", "/protocols/deletes", "/quality-index/deletes"):
        assert await sync.every(path, **after) == [], path
    assert await sync.sequence() == 0  # nothing left to number: the sequencer's own writes are not changes

    # other tenants and schools never see these
    other = sync.auth("district-b")
    assert (await sync.available(other))["newest_change_version"] == 0
    assert await listed(sync, "/protocols", other) == []
    for path in ("/visits", "/quality-index", "/visits/deletes", "/protocols/deletes"):
        assert await sync.every(path, headers=other, min_change_version=0) == [], path
    elsewhere = sync.auth(schools=["00000000-0000-4000-8000-000000000001"])
    for path in ("/visits", "/quality-index", "/visits/deletes", "/protocols/deletes"):
        assert await sync.every(path, headers=elsewhere) == [], path
    mine = sync.auth(schools=[str(rounds.school)])
    assert len(await sync.every("/visits/deletes", headers=mine, min_change_version=0)) == 1
    assert len(await sync.every("/quality-index", headers=mine)) == 1
    # a protocol is of no school: its tombstone is for whole-tenant tokens only
    assert await sync.every("/protocols/deletes", headers=mine, min_change_version=0) == []


async def test_below_the_retention_horizon_a_change_query_is_410_and_a_full_load_still_works(
        sync: Sync, rounds: Obs) -> None:
    version = (await rounds.protocol())["versions"][0]["id"]
    kept = await sync.create("/visits", rounds.visit_body(version))
    gone = await sync.create("/visits", rounds.visit_body(version))
    await delete_rows(sync, f"DELETE FROM classrooms WHERE visit_id = '{gone['id']}'",
                      f"DELETE FROM visits WHERE id = '{gone['id']}'")
    held = await sync.expire_tombstones()
    for path in ("/visits/deletes", "/visits", "/protocols", "/quality-index"):
        await sync.assert_expired(path, held)
    assert [v["id"] for v in await sync.every("/visits")] == [kept["id"]]  # a full load needs no window
    assert await sync.every("/visits", min_change_version=held["oldest_change_version"]) == []
    backwards = await sync.client.get("/quality-index", params={"min_change_version": 5, "max_change_version": 2},
                                      headers=sync.headers)
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "max_change_version"
