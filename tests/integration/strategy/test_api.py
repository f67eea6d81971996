"""strategy on a real PostgreSQL: the Hamilton story per aggregate, bad input writing nothing, consumers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from libs.common.events import new_event
from libs.common.settings import asyncpg_dsn
from libs.contracts.base import EventPayload
from libs.contracts.hr import ProfessionalLearningRecorded
from libs.contracts.networks import CycleStudied
from libs.contracts.observations import QualityIndexUpdated
from services.strategy.handlers import CONSUMERS
from tests.conftest import build_component, new_database
from tests.integration.strategy.story import INITIATIVE_START, PERIODS, QUALITY, STATEMENT, math_rows

SCOPES = ["strategy:read", "strategy:write"]


class Strategy:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient, url: str, make_token: Callable[..., str]) -> None:
        self.app, self.client, self.url, self.make_token = app, client, url, make_token
        self.hamilton, self.lincoln, self.foreign_school = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        # hr's districts, as strategy's replica knows them: the district of each replicated school
        self.north, self.south, self.foreign_district = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        self.principal, self.coach, self.foreign_educator = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def auth(self, tenant: str = "district-a") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, SCOPES)}"}

    async def sql(self, query: str, *args: Any) -> Any:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()

    async def seed(self) -> None:
        for tenant, school, district in [("district-a", self.hamilton, self.north),
                                         ("district-a", self.lincoln, self.south),
                                         ("district-b", self.foreign_school, self.foreign_district)]:
            await self.sql("INSERT INTO school_directory (tenant_id, school_id, district_id, name, version) "
                           "VALUES ($1, $2, $3, 'S', 1)", tenant, school, district)
        for tenant, educator in [("district-a", self.principal), ("district-a", self.coach),
                                 ("district-b", self.foreign_educator)]:
            await self.sql("INSERT INTO educator_directory (tenant_id, educator_id, school_id, career_stage, version) "
                           "VALUES ($1, $2, NULL, 'principal', 1)", tenant, educator)

    async def consume(self, payload: EventPayload, tenant: str = "district-a") -> None:
        event = new_event(payload, service="test", tenant_id=tenant)
        (c,) = [c for c in CONSUMERS if payload.topic in c.topics]
        async with self.app.state.sessions() as session, session.begin():
            await c.handler(session, event)

    async def post(self, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        r = await self.client.post(path, json=body, headers=self.auth())
        assert r.status_code == status, r.text
        return r.json()  # type: ignore[no-any-return]

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        r = await self.client.get(path, params=params, headers=self.auth())
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def events(self, event_type: str) -> int:
        return int(await self.sql("SELECT count(*) FROM outbox WHERE type = $1", event_type))

    async def math_goal(self, plan: dict[str, Any], due_period: str, due_on: str) -> dict[str, Any]:
        """Hamilton's math goal: from 50 in the first period to 60."""
        return await self.post(f"/plans/{plan['id']}/goals", {
            "school_id": str(self.hamilton), "owner_id": str(self.principal), "measure": "math",
            "polarity": "higher", "baseline": 50, "baseline_period": PERIODS[0], "target": 60,
            "due_period": due_period, "due_on": due_on})

    async def hamilton_plan(self) -> dict[str, Any]:
        return await self.post("/plans", {"level": "school", "school_id": str(self.hamilton), "title": "Hamilton math",
                                          "vision": "Every student explains their reasoning",
                                          "owner_id": str(self.principal), "period_start": PERIODS[INITIATIVE_START],
                                          "period_end": PERIODS[-1]})


@pytest.fixture
async def st(pg_server: str, keys_dir: Any, make_token: Callable[..., str]) -> AsyncIterator[Strategy]:
    url = await new_database(pg_server, "strategy", service="strategy")
    app = build_component("strategy", pg_server, url, keys_dir)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://strategy") as client:
            s = Strategy(app, client, url, make_token)
            await s.seed()
            yield s


def quality_event(school: uuid.UUID, i: int) -> QualityIndexUpdated:
    return QualityIndexUpdated(school_id=school, period=PERIODS[i], observed_classrooms=6,
                               shares={"DISC": QUALITY[i]}, overall=QUALITY[i])


async def test_the_hamilton_story(st: Strategy) -> None:
    plan = await st.hamilton_plan()
    assert plan["status"] == "draft"
    adopted = await st.post(f"/plans/{plan['id']}/adopt", {}, status=200)
    assert adopted["status"] == "adopted" and await st.events("org.improvenet.strategy.plan.adopted") == 1
    practice = await st.post(f"/plans/{plan['id']}/statements", {
        "text": STATEMENT, "if_kind": "milestones", "then_measure": "practice-quality", "lag": 2})
    performance = await st.post(f"/plans/{plan['id']}/statements", {
        "text": "then math scores rise", "if_kind": "measure", "if_measure": "practice-quality",
        "then_measure": "math", "lag": 3})
    assert practice["verdict"] == performance["verdict"] == "untested"
    initiative = await st.post(f"/plans/{plan['id']}/initiatives", {
        "title": "Observe the model classroom", "owner_id": str(st.principal), "statement_id": practice["id"],
        "start_period": PERIODS[INITIATIVE_START], "starts_on": "2018-08-20", "cadence_days": 30,
        "allocations": [{"school_id": str(st.hamilton), "period": "2018-19", "money": 25000, "hours": 120}],
        "milestones": [{"title": "Every teacher has visited", "owner_id": str(st.coach), "due_period": PERIODS[10],
                        "due_on": "2019-12-15"}]})
    assert not initiative["incoherent"] and initiative["allocations"][0]["money"] == 25000
    loaded = await st.post("/measurements/bulk", {"items": math_rows(str(st.hamilton))}, status=200)
    assert loaded["created"] == len(PERIODS)
    for i in range(len(PERIODS)):
        await st.consume(quality_event(st.hamilton, i))
    # performance dipped after the initiative started, then recovered; quality leads by two terms
    trajectory = await st.get(f"/schools/{st.hamilton}/trajectory", performance="math")
    assert trajectory["implementation_dip"]["status"] == "recovered"
    assert trajectory["implementation_dip"]["signal"]["periods"] == [PERIODS[8]]
    assert trajectory["lag"]["lag"] == 2 and trajectory["lag"]["warning"] is None
    assert trajectory["stage"]["stage"] == "improving"
    after = await st.get(f"/statements/{performance['id']}")
    assert after["verdict"] == "supported"
    assert after["evidence"][str(st.hamilton)]["if_moved_at"] == PERIODS[12]
    assert await st.events("org.improvenet.strategy.statement.verdict-changed") == 1
    # the milestone done moves the first statement's "if"
    milestone = initiative["milestones"][0]["id"]
    await st.post(f"/initiatives/{initiative['id']}/updates", {"status": "done", "progress": 1, "as_of": "2019-12-10",
                                                              "milestone_id": milestone}, status=200)
    assert (await st.get(f"/statements/{practice['id']}"))["verdict"] == "supported"
    second = await st.post(f"/plans/{plan['id']}/initiatives", {
        "title": "New reading software", "owner_id": str(st.coach), "start_period": PERIODS[9],
        "starts_on": "2019-01-10"})
    assert second["incoherent"]
    view = await st.get(f"/plans/{plan['id']}")
    assert view["incoherent_initiative_ids"] == [second["id"]]
    assert [s["verdict"] for s in view["statements"]] == ["supported", "supported"]


async def test_the_chart_ready_series(st: Strategy) -> None:
    await st.post("/measurements/bulk", {"items": math_rows(str(st.hamilton))}, status=200)
    chart = await st.get(f"/schools/{st.hamilton}/series/math", freeze=8)
    assert [p["period"] for p in chart["points"]] == PERIODS
    assert chart["phases"][0]["median"] == 51 and chart["phases"][0]["baseline_points"] == 8
    assert all(p["median"] == 51 for p in chart["points"])
    outside = [s for s in chart["signals"] if s["rule"] == "outside-limits"]
    assert outside[0]["periods"] == [PERIODS[8]] and outside[0]["direction"] == "down"
    phased = await st.get(f"/schools/{st.hamilton}/series/math", phase_from=PERIODS[14])
    assert [p["start_period"] for p in phased["phases"]] == [PERIODS[0], PERIODS[14]]
    assert phased["phases"][1]["median"] == 63
    assert await st.events("org.improvenet.strategy.trajectory.signal-detected") >= 1
    again = await st.events("org.improvenet.strategy.trajectory.signal-detected")
    await st.post("/measurements/bulk", {"items": math_rows(str(st.hamilton))}, status=200)
    assert await st.events("org.improvenet.strategy.trajectory.signal-detected") == again  # told once


async def test_bulk_load_is_idempotent_and_all_or_nothing(st: Strategy) -> None:
    rows = math_rows(str(st.hamilton), 5)
    first = await st.post("/measurements/bulk", {"items": rows}, status=200)
    again = await st.post("/measurements/bulk", {"items": rows}, status=200)
    assert (first["created"], again["unchanged"], again["created"]) == (5, 5, 0)
    rows[1] = {**rows[1], "value": 99}
    assert (await st.post("/measurements/bulk", {"items": rows}, status=200))["updated"] == 1
    bad = [*math_rows(str(st.lincoln), 3)]
    bad[0] = {**bad[0], "school_id": str(st.foreign_school)}
    bad[2] = {**bad[2], "value": "high"}
    r = await st.client.post("/measurements/bulk", json={"items": bad}, headers=st.auth())
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert "items[2].value" in [e["field"] for e in r.json()["errors"]]
    bad[2] = {**bad[2], "value": 3, "period": bad[1]["period"]}
    r = await st.client.post("/measurements/bulk", json={"items": bad}, headers=st.auth())
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["items[0].school_id", "items[2].period"]
    assert await st.sql("SELECT count(*) FROM measurements WHERE school_id = $1", st.lincoln) == 0


BAD = [
    ("goal target contradicts polarity", "goals", {"polarity": "higher", "target": 40}, "target"),
    ("goal for a foreign school", "goals", {"school_id": "FOREIGN"}, "school_id"),
    ("goal owned by a foreign educator", "goals", {"owner_id": "FOREIGN_EDUCATOR"}, "owner_id"),
    ("statement lag of zero", "statements", {"lag": 0}, "lag"),
    ("initiative for an unknown statement", "initiatives", {"statement_id": "UNKNOWN"}, "statement_id"),
    ("initiative for an unknown goal", "initiatives", {"goal_id": "UNKNOWN"}, "goal_id"),
    ("allocation to a foreign school", "initiatives", {"allocations": [
        {"school_id": "FOREIGN", "period": "2018-19", "money": 1, "hours": 1}]}, "allocations[0].school_id"),
    ("milestone owned by a foreign educator", "initiatives", {"milestones": [
        {"title": "m", "owner_id": "FOREIGN_EDUCATOR", "due_period": PERIODS[2], "due_on": "2015-12-15"}]},
     "milestones[0].owner_id"),
    ("milestone owned by an unknown educator", "initiatives", {"milestones": [
        {"title": "m", "owner_id": "UNKNOWN", "due_period": PERIODS[2], "due_on": "2015-12-15"}]},
     "milestones[0].owner_id"),
    ("plan for a foreign school", "plans", {"school_id": "FOREIGN"}, "school_id"),
    ("plan for an unknown school", "plans", {"school_id": "UNKNOWN"}, "school_id"),
    ("plan owned by a foreign educator", "plans", {"owner_id": "FOREIGN_EDUCATOR"}, "owner_id"),
    ("plan owned by an unknown educator", "plans", {"owner_id": "UNKNOWN"}, "owner_id"),
    ("school plan without its school", "plans", {"school_id": None}, "school_id"),
    ("district plan without its district", "plans", {"level": "district", "school_id": None}, "district_id"),
    ("district plan for a foreign district", "plans", {"level": "district", "school_id": None,
                                                       "district_id": "FOREIGN_DISTRICT"}, "district_id"),
    ("district plan for an unknown district", "plans", {"level": "district", "school_id": None,
                                                        "district_id": "UNKNOWN"}, "district_id"),
    ("school plan in another district than its school's", "plans", {"district_id": "SOUTH"}, "district_id"),
    ("plan ending before it starts", "plans", {"period_end": "2013-14-T1"}, "period_end"),
]


@pytest.mark.parametrize(("case", "kind", "overrides", "field"), BAD, ids=[b[0] for b in BAD])
async def test_bad_input_names_the_field_and_writes_nothing(st: Strategy, case: str, kind: str,
                                                            overrides: dict[str, Any], field: str) -> None:
    plan = await st.hamilton_plan()
    bodies: dict[str, dict[str, Any]] = {
        "goals": {"school_id": str(st.hamilton), "owner_id": str(st.principal), "measure": "math",
                  "polarity": "higher", "baseline": 50, "baseline_period": PERIODS[0], "target": 60,
                  "due_period": PERIODS[-1], "due_on": "2024-06-30"},
        "statements": {"text": "if x then y", "if_kind": "measure", "if_measure": "a", "then_measure": "b", "lag": 2},
        "initiatives": {"title": "t", "owner_id": str(st.principal), "start_period": PERIODS[0],
                        "starts_on": "2014-09-01"},
        "plans": {"level": "school", "school_id": str(st.hamilton), "title": "t", "vision": "v",
                  "owner_id": str(st.principal), "period_start": PERIODS[0], "period_end": PERIODS[-1]},
    }
    swap = {"FOREIGN": str(st.foreign_school), "FOREIGN_EDUCATOR": str(st.foreign_educator),
            "FOREIGN_DISTRICT": str(st.foreign_district), "SOUTH": str(st.south), "UNKNOWN": str(uuid.uuid4())}
    body = {**bodies[kind], **{k: swap.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}}
    for a in body.get("allocations", []):
        a["school_id"] = swap.get(a["school_id"], a["school_id"])
    for m in body.get("milestones", []):
        m["owner_id"] = swap.get(m["owner_id"], m["owner_id"])
    tables = ("plans", "goals", "statements", "initiatives", "allocations", "milestones", "outbox")
    before = [await st.sql(f"SELECT count(*) FROM {t}") for t in tables]
    path = "/plans" if kind == "plans" else f"/plans/{plan['id']}/{kind}"
    r = await st.client.post(path, json=body, headers=st.auth())
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]
    assert [await st.sql(f"SELECT count(*) FROM {t}") for t in tables] == before


async def test_plans_take_a_known_district_and_their_schools(st: Strategy) -> None:
    district = await st.post("/plans", {"level": "district", "district_id": str(st.north), "title": "North math",
                                        "vision": "v", "owner_id": str(st.principal), "period_start": PERIODS[0],
                                        "period_end": PERIODS[-1]})
    assert (district["district_id"], district["school_id"]) == (str(st.north), None)
    school = await st.hamilton_plan()  # no district named: the school's, as hr's directory has it
    assert school["district_id"] == str(st.north)
    named = await st.post("/plans", {"level": "school", "school_id": str(st.hamilton), "district_id": str(st.north),
                                     "title": "t", "vision": "v", "owner_id": str(st.principal),
                                     "period_start": PERIODS[0], "period_end": PERIODS[-1]})
    assert named["district_id"] == str(st.north)
    listed = await st.get("/plans", district_id=str(st.north))
    assert {p["id"] for p in listed["items"]} == {district["id"], school["id"], named["id"]}
    # a district whose only school hr removed is no longer known
    await st.sql("UPDATE school_directory SET removed = true WHERE school_id = $1", st.lincoln)
    r = await st.client.post("/plans", headers=st.auth(), json={
        "level": "district", "district_id": str(st.south), "title": "t", "vision": "v",
        "owner_id": str(st.principal), "period_start": PERIODS[0], "period_end": PERIODS[-1]})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["district_id"]


async def test_an_update_of_an_unknown_milestone_names_it_and_writes_nothing(st: Strategy) -> None:
    plan = await st.hamilton_plan()
    milestone = {"title": "m", "owner_id": str(st.coach), "due_period": PERIODS[2], "due_on": "2015-12-15"}
    first = await st.post(f"/plans/{plan['id']}/initiatives", {
        "title": "t", "owner_id": str(st.principal), "start_period": PERIODS[0], "starts_on": "2014-09-01",
        "milestones": [milestone]})
    other = await st.post(f"/plans/{plan['id']}/initiatives", {
        "title": "u", "owner_id": str(st.principal), "start_period": PERIODS[0], "starts_on": "2014-09-01",
        "milestones": [milestone]})
    for unknown in (str(uuid.uuid4()), other["milestones"][0]["id"]):  # none, or another initiative's
        r = await st.client.post(f"/initiatives/{first['id']}/updates", headers=st.auth(), json={
            "status": "done", "progress": 1, "as_of": "2015-12-10", "milestone_id": unknown})
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == ["milestone_id"]
    assert await st.sql("SELECT count(*) FROM status_updates") == 0
    assert await st.sql("SELECT count(*) FROM milestones WHERE status <> 'not_started'") == 0
    assert (await st.get(f"/initiatives/{first['id']}"))["version"] == first["version"]


async def test_a_batch_with_a_bad_value_and_a_foreign_school_names_both_rows(st: Strategy) -> None:
    rows = math_rows(str(st.lincoln), 4)
    rows[1] = {**rows[1], "value": "high"}  # refused by its own field
    rows[3] = {**rows[3], "school_id": str(st.foreign_school)}  # refused by the tenant
    r = await st.client.post("/measurements/bulk", json={"items": rows}, headers=st.auth())
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["items[1].value", "items[3].school_id"]
    # a row refused by its value still has its school checked, and a school id that is no id is not looked up
    rows[1] = {**rows[1], "school_id": str(st.foreign_school)}
    rows[2] = {**rows[2], "school_id": "not-an-id", "value": None}
    r = await st.client.post("/measurements/bulk", json={"items": rows}, headers=st.auth())
    assert [e["field"] for e in r.json()["errors"]] == [
        "items[1].school_id", "items[1].value", "items[2].school_id", "items[2].value", "items[3].school_id"]
    assert await st.sql("SELECT count(*) FROM measurements") == 0
    assert await st.sql("SELECT count(*) FROM outbox") == 0


async def test_a_goal_whose_due_period_passed_without_its_target_is_missed(st: Strategy) -> None:
    plan = await st.hamilton_plan()
    goal = await st.math_goal(plan, PERIODS[11], "2020-06-30")
    # up to the due period: math never reaches 60, and no later period is in yet: still open
    await st.post("/measurements/bulk", {"items": math_rows(str(st.hamilton), 12)}, status=200)
    assert (await st.get(f"/goals/{goal['id']}"))["status"] == "open"
    assert await st.events("org.improvenet.strategy.goal.missed") == 0
    # the first later period arrives (62, above the target, but after the due period): missed, told once
    await st.post("/measurements/bulk", {"items": math_rows(str(st.hamilton), 15)}, status=200)
    missed = await st.get(f"/goals/{goal['id']}")
    assert missed["status"] == "missed" and missed["latest"] == 62 and missed["variance_from_target"] == 2
    assert await st.events("org.improvenet.strategy.goal.missed") == 1
    payload = await st.sql("SELECT payload::text FROM outbox WHERE type = 'org.improvenet.strategy.goal.missed'")
    assert str(st.hamilton) in payload and PERIODS[12] in payload  # the period that made it missed
    await st.post("/measurements/bulk", {"items": math_rows(str(st.hamilton))}, status=200)
    assert await st.events("org.improvenet.strategy.goal.missed") == 1
    assert await st.events("org.improvenet.strategy.goal.met") == 0


async def test_milestones_roll_up_into_their_initiative_then_the_goal_and_the_plan(st: Strategy) -> None:
    plan = await st.hamilton_plan()
    goal = await st.math_goal(plan, PERIODS[-1], "2024-06-30")
    today = date.today().isoformat()
    initiative = await st.post(f"/plans/{plan['id']}/initiatives", {
        "title": "Model classroom", "owner_id": str(st.principal), "goal_id": goal["id"],
        "start_period": PERIODS[0], "starts_on": today, "milestones": [
            {"title": f"m{n}", "owner_id": str(st.coach), "due_period": PERIODS[n], "due_on": "2016-06-30"}
            for n in (1, 2)]})
    assert initiative["rollup"] == {"status": "not_started", "progress": 0, "stale": False}
    first, second = (m["id"] for m in initiative["milestones"])
    await st.post(f"/initiatives/{initiative['id']}/updates", {"status": "done", "progress": 1, "as_of": today,
                                                              "milestone_id": first}, status=200)
    rolled = await st.post(f"/initiatives/{initiative['id']}/updates", {
        "status": "at_risk", "progress": 0.5, "as_of": today, "milestone_id": second}, status=200)
    # the initiative itself was never updated: its milestones say where it stands
    assert rolled["status"] == "not_started"
    assert rolled["rollup"] == {"status": "at_risk", "progress": 0.75, "stale": False}
    view = await st.get(f"/plans/{plan['id']}")
    assert view["rollup"] == {"status": "at_risk", "progress": 0.75, "stale": False}
    assert view["goal_rollups"] == [{"goal_id": goal["id"], "status": "at_risk", "progress": 0.75, "stale": False}]
    await st.post(f"/initiatives/{initiative['id']}/updates", {"status": "done", "progress": 1, "as_of": today,
                                                              "milestone_id": second}, status=200)
    view = await st.get(f"/plans/{plan['id']}")
    assert view["rollup"] == {"status": "done", "progress": 1, "stale": False}


async def test_an_initiative_added_later_has_the_plans_verdicts_judged_again(st: Strategy) -> None:
    """A district plan's schools are those its initiatives invest in: the data is in before the first
    allocation names Hamilton, and adding it judges the statement without waiting for more data."""
    await st.post("/measurements/bulk", {"items": math_rows(str(st.hamilton))}, status=200)
    for i in range(len(PERIODS)):
        await st.consume(quality_event(st.hamilton, i))
    plan = await st.post("/plans", {"level": "district", "district_id": str(st.north), "title": "North math",
                                    "vision": "v", "owner_id": str(st.principal),
                                    "period_start": PERIODS[INITIATIVE_START], "period_end": PERIODS[-1]})
    statement = await st.post(f"/plans/{plan['id']}/statements", {
        "text": "then math scores rise", "if_kind": "measure", "if_measure": "practice-quality",
        "then_measure": "math", "lag": 3})
    assert statement["verdict"] == "untested" and statement["evidence"] == {}
    await st.post(f"/plans/{plan['id']}/initiatives", {
        "title": "Observe the model classroom", "owner_id": str(st.principal), "statement_id": statement["id"],
        "start_period": PERIODS[INITIATIVE_START], "starts_on": "2018-08-20",
        "allocations": [{"school_id": str(st.hamilton), "period": "2018-19", "money": 25000, "hours": 120}]})
    judged = await st.get(f"/statements/{statement['id']}")
    assert judged["verdict"] == "supported" and list(judged["evidence"]) == [str(st.hamilton)]
    assert await st.events("org.improvenet.strategy.statement.verdict-changed") == 1


async def test_missing_periods_are_blanks_and_the_trajectory_holds_every_rule(st: Strategy) -> None:
    rows = [r for n, r in enumerate(math_rows(str(st.hamilton))) if n not in (4, 5)]  # two terms never loaded
    await st.post("/measurements/bulk", {"items": rows}, status=200)
    for i in range(len(PERIODS)):
        await st.consume(quality_event(st.hamilton, i))
    chart = await st.get(f"/schools/{st.hamilton}/series/math")
    assert [p["period"] for p in chart["points"]] == PERIODS
    assert [p["value"] for p in chart["points"]][3:7] == [52, None, None, 51]
    trajectory = await st.get(f"/schools/{st.hamilton}/trajectory", performance="math")
    assert trajectory["periods"] == PERIODS
    for name in ("performance", "quality"):
        view = trajectory["rules"][name]
        assert view["freeze"] == trajectory["baseline_points"] == INITIATIVE_START
        phase = view["phases"][0]
        assert phase["anhoej"]["useful_points"] > 0 and phase["limits"]["upper"] > phase["limits"]["lower"]
    performance = trajectory["rules"]["performance"]
    assert performance["phases"][0]["anhoej"]["useful_points"] <= len(PERIODS) - 2  # blanks are not points
    assert {s["rule"] for s in performance["signals"]} >= {"outside-limits", "shift"}
    assert (trajectory["lag"]["lag"], trajectory["lag"]["pairs"]) == (2, 16)  # 18 pairs at lag 2, less 2 blanks


async def test_updates_dated_in_the_future_staleness_and_freshness(st: Strategy) -> None:
    plan = await st.hamilton_plan()
    old = (date.today() - timedelta(days=100)).isoformat()
    initiative = await st.post(f"/plans/{plan['id']}/initiatives", {
        "title": "Coaching cycles", "owner_id": str(st.principal), "start_period": PERIODS[0], "starts_on": old,
        "cadence_days": 30, "grace_days": 7})
    future = (date.today() + timedelta(days=1)).isoformat()
    r = await st.client.post(f"/initiatives/{initiative['id']}/updates", headers=st.auth(),
                             json={"status": "on_track", "progress": 0.2, "as_of": future})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "as_of"
    review = await st.post(f"/plans/{plan['id']}/review", {}, status=200)
    assert review["stale_initiative_ids"] == [initiative["id"]] and review["freshness"] == 0
    assert await st.events("org.improvenet.strategy.initiative.went-stale") == 1
    await st.post(f"/plans/{plan['id']}/review", {}, status=200)
    assert await st.events("org.improvenet.strategy.initiative.went-stale") == 1  # told once
    updated = await st.post(f"/initiatives/{initiative['id']}/updates",
                            {"status": "at_risk", "progress": 0.3, "as_of": date.today().isoformat()}, status=200)
    assert updated["status"] == "at_risk" and not updated["stale"]
    view = await st.get(f"/plans/{plan['id']}")
    assert view["freshness"] == 1 and view["rollup"]["status"] == "at_risk"
    goal = await st.post(f"/plans/{plan['id']}/goals", {
        "school_id": str(st.hamilton), "owner_id": str(st.principal), "measure": "math", "polarity": "higher",
        "baseline": 50, "baseline_period": PERIODS[0], "target": 60, "due_period": PERIODS[-1], "due_on": "2024-06-30"})
    under = await st.post(f"/plans/{plan['id']}/initiatives", {
        "title": "Tutoring", "owner_id": str(st.coach), "goal_id": goal["id"], "start_period": PERIODS[0],
        "starts_on": date.today().isoformat()})
    await st.post(f"/initiatives/{under['id']}/updates", {"status": "off_track", "progress": 0.1,
                                                         "as_of": date.today().isoformat()}, status=200)
    view = await st.get(f"/plans/{plan['id']}")
    assert view["rollup"]["status"] == "off_track"
    assert view["goal_rollups"] == [{"goal_id": goal["id"], "status": "off_track", "progress": 0.1, "stale": False}]


async def test_goals_progress_and_met(st: Strategy) -> None:
    plan = await st.hamilton_plan()
    goal = await st.post(f"/plans/{plan['id']}/goals", {
        "school_id": str(st.hamilton), "owner_id": str(st.principal), "measure": "math", "polarity": "higher",
        "baseline": 50, "baseline_period": PERIODS[0], "target": 60, "due_period": PERIODS[16],
        "due_on": "2023-01-31"})
    assert goal["status"] == "open" and goal["progress"] is None
    await st.post("/measurements/bulk", {"items": math_rows(str(st.hamilton))}, status=200)
    g = await st.get(f"/goals/{goal['id']}")
    assert g["status"] == "met" and g["latest"] == 64 and g["progress"] == 1.4 and g["variance_from_target"] == 4
    assert g["trend"] == {"direction": "rising", "periods": 1}
    assert await st.events("org.improvenet.strategy.goal.met") == 1
    other = await st.client.get(f"/goals/{goal['id']}", headers=st.auth("district-b"))
    assert other.status_code == 404


async def test_the_ledger_flags_demand_rising_while_learning_stays_flat(st: Strategy) -> None:
    plan = await st.post("/plans", {"level": "district", "district_id": str(st.south), "title": "District",
                                    "vision": "v", "owner_id": str(st.principal), "period_start": "2024-25",
                                    "period_end": "2026-27"})
    for n, (target, due) in enumerate([(52.5, "2025-06-30"), (55, "2026-06-30")]):
        await st.post(f"/plans/{plan['id']}/goals", {
            "school_id": str(st.lincoln), "owner_id": str(st.principal), "measure": "math", "polarity": "higher",
            "baseline": 50, "baseline_period": "2024-25", "target": target, "due_period": f"202{5 + n}-2{6 + n}",
            "due_on": due})
    for completed in ("2024-10-01", "2025-10-01"):
        await st.consume(ProfessionalLearningRecorded(learning_id=uuid.uuid4(), educator_id=st.coach,
                                                      school_id=st.lincoln, hours=20, topic_code="math",
                                                      completed_on=date.fromisoformat(completed), initiative_id=None))
    ledger = await st.get(f"/schools/{st.lincoln}/reciprocity")
    assert [(r["period"], r["demand"], r["capacity"], r["flag"]) for r in ledger["rows"]] == [
        ("2024-25", 0.05, 20, False), ("2025-26", 0.1, 20, True)]
    assert await st.events("org.improvenet.strategy.reciprocity-flag.raised") == 1
    # more coaching in the second year clears the flag (coaching weighted double)
    await st.client.put("/reciprocity/weights", headers=st.auth(), json={"coaching": 2})
    await st.consume(ProfessionalLearningRecorded(learning_id=uuid.uuid4(), educator_id=st.coach,
                                                  school_id=st.lincoln, hours=5, topic_code="coaching-math",
                                                  completed_on=date(2025, 11, 1), initiative_id=None))
    ledger = await st.get(f"/schools/{st.lincoln}/reciprocity")
    assert ledger["rows"][1]["capacity"] == 30 and not ledger["rows"][1]["flag"]
    assert await st.events("org.improvenet.strategy.reciprocity-flag.cleared") == 1


async def test_consumers_are_idempotent(st: Strategy) -> None:
    payload = quality_event(st.hamilton, 0)
    event = new_event(payload, service="observations", tenant_id="district-a")
    (c,) = [c for c in CONSUMERS if payload.topic in c.topics]
    for _ in range(2):
        async with st.app.state.sessions() as session, session.begin():
            await c.handler(session, event)
    assert await st.sql("SELECT count(*) FROM measurements WHERE school_id = $1", st.hamilton) == 2
    learning = ProfessionalLearningRecorded(learning_id=uuid.uuid4(), educator_id=st.coach, school_id=st.hamilton,
                                            hours=3, topic_code=None, completed_on=date(2025, 1, 1),
                                            initiative_id=None)
    await st.consume(learning)
    await st.consume(learning)
    assert await st.sql("SELECT sum(hours) FROM learning_hours") == 3
    cycle = CycleStudied(cycle_id=uuid.uuid4(), change_idea_id=uuid.uuid4(), problem_of_practice_id=uuid.uuid4(),
                         school_id=st.hamilton, studied_on=date(2025, 3, 1), decision="adopt")
    await st.consume(cycle)
    await st.consume(cycle)
    chart = await st.get(f"/schools/{st.hamilton}/series/practice-quality")
    assert [m["kind"] for m in chart["marks"]] == ["cycle"]


async def test_another_tenant_sees_nothing(st: Strategy) -> None:
    plan = await st.hamilton_plan()
    assert (await st.client.get(f"/plans/{plan['id']}", headers=st.auth("district-b"))).status_code == 404
    assert (await st.client.get(f"/schools/{st.hamilton}/series/math", headers=st.auth("district-b"))
            ).status_code == 404
    r = await st.client.post(f"/plans/{plan['id']}/adopt", headers=st.auth("district-b"))
    assert r.status_code == 404


async def test_a_retried_create_with_the_same_idempotency_key_creates_one_plan(st: Strategy) -> None:
    body = {"level": "school", "school_id": str(st.hamilton), "title": "T", "vision": "V",
            "owner_id": str(st.principal), "period_start": PERIODS[0], "period_end": PERIODS[-1]}
    headers = {**st.auth(), "Idempotency-Key": "plan-1"}
    first = await st.client.post("/plans", json=body, headers=headers)
    second = await st.client.post("/plans", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert await st.sql("SELECT count(*) FROM plans") == 1


async def test_the_worker_sweeps_adopted_plans_for_stale_items_without_being_asked(st: Strategy) -> None:
    import asyncio

    from services.strategy.worker import stale_sweep

    old = (date.today() - timedelta(days=100)).isoformat()
    adopted, draft = await st.hamilton_plan(), await st.hamilton_plan()
    await st.post(f"/plans/{adopted['id']}/adopt", {}, status=200)
    late = {}
    for plan in (adopted, draft):
        late[plan["id"]] = await st.post(f"/plans/{plan['id']}/initiatives", {
            "title": "Coaching cycles", "owner_id": str(st.principal), "start_period": PERIODS[0],
            "starts_on": old, "cadence_days": 30, "grace_days": 7})
    stop = asyncio.Event()
    job = asyncio.create_task(stale_sweep(0.05).run(st.app.state.engine, stop))
    try:
        for _ in range(100):
            if await st.events("org.improvenet.strategy.initiative.went-stale"):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # several more sweeps: the item is told stale once
    finally:
        stop.set()
        await asyncio.wait_for(job, 5)
    assert await st.events("org.improvenet.strategy.initiative.went-stale") == 1
    assert (await st.get(f"/initiatives/{late[adopted['id']]['id']}"))["stale"] is True
    assert (await st.get(f"/initiatives/{late[draft['id']]['id']}"))["stale"] is False  # a draft is not swept


REFERRALS = [40.0, 41, 40, 42, 41, 40, 41, 42, 42, 40, 41, 42, 20, 21, 20, 22, 21, 20, 21, 20]  # halved at term 12


async def test_an_if_measure_expected_to_fall_moves_when_it_falls(st: Strategy) -> None:
    """"If office referrals fall, then math scores rise": the "if" moves where referrals signal down (term 12),
    math signals up two terms later. Read in the default direction (up), the same "if" never moves."""
    await st.post("/measurements/bulk", {"items": math_rows(str(st.hamilton)) + [
        {"external_id": f"sis-ref-{p}", "school_id": str(st.hamilton), "measure": "referrals", "period": p,
         "value": v} for p, v in zip(PERIODS, REFERRALS, strict=True)]}, status=200)
    plan = await st.hamilton_plan()
    falling = await st.post(f"/plans/{plan['id']}/statements", {
        "text": "if office referrals fall, then math scores rise", "if_kind": "measure", "if_measure": "referrals",
        "if_direction": "down", "then_measure": "math", "lag": 3})
    assert falling["if_direction"] == "down" and falling["verdict"] == "supported", falling["evidence"]
    evidence = falling["evidence"][str(st.hamilton)]
    assert evidence["if_moved_at"] == PERIODS[12] and evidence["signal"]["periods"][0] == PERIODS[14]
    rising = await st.post(f"/plans/{plan['id']}/statements", {
        "text": "if office referrals rise, then math scores rise", "if_kind": "measure", "if_measure": "referrals",
        "then_measure": "math", "lag": 3})
    assert rising["if_direction"] == "up" and rising["verdict"] == "untested", rising
    bad = await st.post(f"/plans/{plan['id']}/statements", {
        "text": "x", "if_kind": "measure", "if_measure": "referrals", "if_direction": "sideways",
        "then_measure": "math", "lag": 3}, status=422)
    assert [e["field"] for e in bad["errors"]] == ["if_direction"]
