"""Change queries on strategy (libs/common/changes.py), as a district's sync client uses them: plans, goals and
measurements loaded once, then only what changed (by the API or by observations' events), deletes included,
and a 410 once the client falls behind the tombstones' retention.

strategy's API deletes none of the three: the rows removed here are removed in SQL, as an operator's
correction would be, to show that every delete still leaves a tombstone in `<path>/deletes`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from libs.common.events import new_event
from libs.common.pagination import encode_cursor
from libs.contracts.base import EventPayload
from libs.contracts.observations import QualityIndexUpdated
from services.strategy.app import TRACKED
from services.strategy.handlers import CONSUMERS
from services.strategy.worker import TRACKED_TABLES
from tests.conftest import new_database
from tests.integration.change_queries import Sync, sync_client
from tests.integration.strategy.story import PERIODS, math_rows

SCOPES = ["strategy:read", "strategy:write"]
# distinct from their first characters: the story's external ids take a school's first eight
HAMILTON, LINCOLN, FOREIGN = (uuid.UUID(f"{n}0000000-0000-4000-8000-000000000000") for n in "abc")
PRINCIPAL = uuid.UUID("e0000000-0000-4000-8000-000000000000")
DISTRICT = uuid.UUID("d0000000-0000-4000-8000-000000000000")


@pytest.fixture
async def sync(pg_server: str, keys_dir: Path, make_token: Callable[..., str]) -> AsyncIterator[Sync]:
    url = await new_database(pg_server, "strategy", service="strategy")
    async with sync_client("strategy", pg_server, url, keys_dir, make_token, TRACKED_TABLES, SCOPES) as client:
        await sql(client, "INSERT INTO school_directory (tenant_id, school_id, district_id, name, version) VALUES "
                          "('district-a', :h, :d, 'Hamilton', 1), ('district-a', :ln, :d, 'Lincoln', 1), "
                          "('district-b', :f, NULL, 'Elsewhere', 1)", h=HAMILTON, ln=LINCOLN, f=FOREIGN, d=DISTRICT)
        await sql(client, "INSERT INTO educator_directory (tenant_id, educator_id, career_stage, version) "
                          "VALUES ('district-a', :p, 'principal', 1)", p=PRINCIPAL)
        yield client


# --- what this test needs beyond the shared client ----------------------------------------------------------

async def sql(sync: Sync, statement: str, **params: Any) -> int:
    """A statement on the service's database, outside the API; how many rows it touched."""
    async with sync.app.state.engine.begin() as conn:
        return int((await conn.execute(text(statement), params)).rowcount)


async def consume(sync: Sync, payload: EventPayload, tenant: str = "district-a") -> None:
    """What the worker's consumer does with an event from Kafka."""
    event = new_event(payload, service="observations", tenant_id=tenant)
    (c,) = [c for c in CONSUMERS if payload.topic in c.topics]
    async with sync.app.state.sessions() as session, session.begin():
        await c.handler(session, event)


def quality(school: uuid.UUID, period: str, overall: float) -> QualityIndexUpdated:
    return QualityIndexUpdated(school_id=school, period=period, observed_classrooms=6, shares={"DISC": overall},
                               overall=overall)


async def load(sync: Sync, rows: list[dict[str, object]]) -> dict[str, Any]:
    r = await sync.client.post("/measurements/bulk", json={"items": rows}, headers=sync.headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def plan(school: uuid.UUID | None = None) -> dict[str, Any]:
    scope = ({"level": "school", "school_id": str(school)} if school
             else {"level": "district", "district_id": str(DISTRICT)})
    return {**scope, "title": "Math", "vision": "Every student explains their reasoning",
            "owner_id": str(PRINCIPAL), "period_start": PERIODS[0], "period_end": PERIODS[-1]}


def goal(school: uuid.UUID, measure: str, target: float) -> dict[str, Any]:
    return {"school_id": str(school), "owner_id": str(PRINCIPAL), "measure": measure, "polarity": "higher",
            "baseline": 50, "baseline_period": PERIODS[0], "target": target, "due_period": PERIODS[16],
            "due_on": "2023-01-31"}


def keys(measurements: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(m["school_id"], m["measure"], m["period"]) for m in measurements}


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {i["id"] for i in items}


# --- the tests ------------------------------------------------------------------------------------------------

def test_the_worker_numbers_every_tracked_table() -> None:
    assert {t.table.name for t in TRACKED} == set(TRACKED_TABLES)


async def test_a_sync_client_gets_everything_then_only_what_changed_and_what_was_deleted(sync: Sync) -> None:
    school_plan, district_plan = await sync.create("/plans", plan(HAMILTON)), await sync.create("/plans", plan())
    met, steady, gone = [await sync.create(f"/plans/{school_plan['id']}/goals", goal(HAMILTON, measure, target))
                         for measure, target in (("math", 60), ("reading", 70), ("math", 90))]
    await load(sync, math_rows(str(HAMILTON), 4) + math_rows(str(LINCOLN), 2))
    await consume(sync, quality(HAMILTON, PERIODS[0], 0.30))  # the index and its one share: two measurements
    assert (await sync.available())["newest_change_version"] == 0  # nothing numbered before the sequencer runs
    assert await sync.sequence() == 2 + 3 + 6 + 2

    # 1. the first sync: note newest, load everything
    first = await sync.available()
    assert first["oldest_change_version"] == 0 and first["newest_change_version"] == 13
    upto: dict[str, Any] = {"max_change_version": first["newest_change_version"]}
    assert ids(await sync.every("/plans", **upto)) == {school_plan["id"], district_plan["id"]}
    assert ids(await sync.every("/goals", **upto)) == {met["id"], steady["id"], gone["id"]}
    loaded = await sync.every("/measurements", **upto)
    assert len(loaded) == 8 and loaded == await sync.every("/measurements")  # a full load needs no window
    by_key = {(m["school_id"], m["measure"], m["period"]): m for m in loaded}

    # 2. changes: by the API (an adoption, a load that meets a goal, a new plan and goal), by observations'
    # events (a value revised, a period new), and rows removed outside the API
    r = await sync.client.post(f"/plans/{school_plan['id']}/adopt", headers=sync.headers)
    assert r.status_code == 200, r.text
    revised = math_rows(str(HAMILTON), 16)
    revised[0] = {**revised[0], "value": 49.0}
    assert await load(sync, revised) | {"items": []} == {"created": 12, "updated": 1, "unchanged": 3, "items": []}
    added_plan = await sync.create("/plans", plan(LINCOLN))
    added_goal = await sync.create(f"/plans/{added_plan['id']}/goals", goal(LINCOLN, "math", 60))
    await consume(sync, quality(HAMILTON, PERIODS[0], 0.35))
    await consume(sync, quality(HAMILTON, PERIODS[1], 0.31))
    removed = by_key[(str(LINCOLN), "math", PERIODS[1])]
    assert await sql(sync, "DELETE FROM measurements WHERE id = :id", id=uuid.UUID(removed["id"])) == 1
    assert await sql(sync, "DELETE FROM goals WHERE id = :id", id=uuid.UUID(gone["id"])) == 1
    assert await sql(sync, "DELETE FROM plans WHERE id = :id", id=uuid.UUID(district_plan["id"])) == 1
    window: dict[str, Any] = {"min_change_version": first["newest_change_version"] + 1}
    # not numbered yet: an uncommitted-then-committed change never slips below a version a client passed
    for path in ("/plans", "/goals", "/measurements"):
        assert await sync.every(path, **window) == []
    assert await sync.sequence() == 2 + 2 + (13 + 2 + 2) + 3  # plans, goals, measurements, tombstones
    second = await sync.available()
    window["max_change_version"] = second["newest_change_version"]

    assert ids(await sync.every("/plans", **window)) == {school_plan["id"], added_plan["id"]}
    changed_goals = await sync.every("/goals", **window)
    assert {(g["id"], g["status"]) for g in changed_goals} == {(met["id"], "met"), (added_goal["id"], "open")}
    changed = await sync.every("/measurements", **window)
    hamilton = str(HAMILTON)
    assert keys(changed) == ({(hamilton, "math", p) for p in [PERIODS[0], *PERIODS[4:16]]}
                             | {(hamilton, m, p) for m in ("practice-quality", "practice-quality.DISC")
                                for p in PERIODS[:2]})
    assert by_key[(hamilton, "math", PERIODS[0])]["id"] in ids(changed)  # an update keeps the row's id
    assert keys(await sync.every("/measurements", source="observations", **window)) == {
        (hamilton, m, p) for m in ("practice-quality", "practice-quality.DISC") for p in PERIODS[:2]}
    counted = await sync.client.get("/measurements", params={**window, "totalCount": "true"}, headers=sync.headers)
    assert counted.headers["total-count"] == str(len(changed)) == "17"

    deleted = {path: await sync.every(f"{path}/deletes", **window) for path in ("/plans", "/goals", "/measurements")}
    assert {p: [(t["id"], t["external_ids"]) for t in d] for p, d in deleted.items()} == {
        "/plans": [(district_plan["id"], {})], "/goals": [(gone["id"], {})],
        "/measurements": [(removed["id"], {"external_id": removed["external_id"]})]}
    assert all(first["newest_change_version"] < t["change_version"] <= second["newest_change_version"]
               for d in deleted.values() for t in d)

    # 3. the next sync from where this one ended: nothing
    after: dict[str, Any] = {"min_change_version": second["newest_change_version"] + 1}
    for path in ("/plans", "/goals", "/measurements", "/plans/deletes", "/goals/deletes", "/measurements/deletes"):
        assert await sync.every(path, **after) == [], path
    assert await sync.sequence() == 0  # nothing left to number: the sequencer's own writes are not changes
    assert await load(sync, revised) | {"items": []} == {"created": 0, "updated": 0, "unchanged": 16, "items": []}
    assert await sync.sequence() == 0  # an identical load changes nothing, so nothing is numbered again

    # other tenants never see these; a school-limited client learns only of its schools' deletes, and of a
    # district plan's (it lists district plans too)
    other = sync.auth("district-b")
    assert (await sync.available(other))["newest_change_version"] == 0
    for path in ("/plans", "/goals", "/measurements", "/plans/deletes", "/goals/deletes", "/measurements/deletes"):
        assert await sync.every(path, headers=other) == [], path
    at_hamilton, at_lincoln = sync.auth(schools=[str(HAMILTON)]), sync.auth(schools=[str(LINCOLN)])
    assert ids(await sync.every("/goals/deletes", headers=at_hamilton, min_change_version=0)) == {gone["id"]}
    assert await sync.every("/goals/deletes", headers=at_lincoln, min_change_version=0) == []
    assert ids(await sync.every("/measurements/deletes", headers=at_lincoln, min_change_version=0)) == {
        removed["id"]}
    assert ids(await sync.every("/plans/deletes", headers=at_hamilton, min_change_version=0)) == {
        district_plan["id"]}
    assert {m["school_id"] for m in await sync.every("/measurements", headers=at_lincoln)} == {str(LINCOLN)}
    assert ids(await sync.every("/plans", headers=at_lincoln, **window)) == {added_plan["id"]}


async def test_below_the_retention_horizon_a_change_query_is_410_and_a_full_load_still_works(sync: Sync) -> None:
    kept = await sync.create("/plans", plan(HAMILTON))
    await load(sync, math_rows(str(HAMILTON), 2))
    assert await sql(sync, "DELETE FROM measurements WHERE period = :p", p=PERIODS[1]) == 1
    held = await sync.expire_tombstones()
    for path in ("/measurements/deletes", "/plans", "/goals", "/measurements"):
        await sync.assert_expired(path, held)
    assert ids(await sync.every("/plans")) == {kept["id"]}  # a full load needs no window
    assert [m["period"] for m in await sync.every("/measurements")] == [PERIODS[0]]
    assert await sync.every("/measurements", min_change_version=held["oldest_change_version"]) == []
    backwards = await sync.client.get("/goals", params={"min_change_version": 5, "max_change_version": 2},
                                      headers=sync.headers)
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "max_change_version"


async def test_a_page_token_of_another_list_is_a_400_naming_it(sync: Sync) -> None:
    foreign = encode_cursor({"v": 1, "s": 1})  # a deletes feed's position, which names no row
    r = await sync.client.get("/plans", params={"page_token": foreign}, headers=sync.headers)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "page_token"
