"""Hamilton's plan end to end, through the gateway, on the platform as `make up` starts it.

Schools and educators come from hr (replicated into strategy by events), performance is loaded in bulk,
professional-learning hours are recorded in hr (strategy counts them from hr's events). Practice quality
comes from real rounds: each term a team observes ten classrooms in observations, screens its notes and
debriefs; observations publishes the term's index once it has its minimum of classrooms, and strategy
reads it from that `quality-index.updated` event as the measure `practice-quality`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from improvenet.launcher import Platform
from tests.e2e.conftest import outside_client
from tests.e2e.test_observations_round import Round
from tests.e2e.test_security import ALL, bearer, eventually
from tests.integration.strategy.story import INITIATIVE_START, MATH, PERIODS, QUALITY, STATEMENT, math_rows

ROOMS = 10
# the story's quality to the nearest share of ten rooms: 3 rooms of 10 show students explaining their
# reasoning for twelve terms, then 6
SHOWING = [round(q * ROOMS) for q in QUALITY]
DISCOURSE = {"code": "S1", "description": "Students explain their reasoning to each other", "domain": "students"}


def term_day(period: str) -> date:
    """A day inside a school term as observations names them (T1 August to December, T2 January to July)."""
    year = int(period[:4])
    return date(year, 10, 15) if period.endswith("T1") else date(year + 1, 3, 15)


def observe_a_term(rnd: Round, school: str, version: str, observer: str, period: str, showing: int) -> None:
    """One round of ten classrooms, `showing` of them with students explaining their reasoning; every note
    descriptive, screened and accepted; predicted and debriefed."""
    day = term_day(period)
    visit = rnd.ok("POST", "/observations/visits", {
        "school_id": school, "visit_date": day.isoformat(), "protocol_version_id": version,
        "problem_of_practice": "Students give answers but rarely explain how they know",
        "observer_ids": [observer],
        "classrooms": [{"grade": "4", "subject": "math", "room": str(100 + r)} for r in range(ROOMS)]},
        201).json()
    rnd.move(visit["id"], "in_progress")
    for r in range(ROOMS):
        note = (("Students explain to a partner why 2/4 = 1/2", ["S1"]) if r < showing
                else ("Students complete items 1-12 on the worksheet", []))
        rooms = {c["room"]: c["id"] for c in visit["classrooms"]}
        made = rnd.ok("POST", f"/observations/visits/{visit['id']}/records", {
            "classroom_id": rooms[str(100 + r)], "observer_id": observer,
            "notes": [{"observed_at": f"{day.isoformat()}T09:{r:02d}:00+00:00", "text": note[0],
                       "look_for_codes": note[1]}]}, 201)
        rnd.ok("POST", f"/observations/records/{made.json()['id']}/transitions", {"to": "submitted"},
               **{"If-Match": made.headers["etag"]})
    assert rnd.describe(visit["id"]) == {}  # nothing rejected: every note is descriptive
    rnd.ok("PUT", f"/observations/visits/{visit['id']}/debrief",
           {"prediction": "Students would explain their reasoning where tasks ask for it"})
    rnd.move(visit["id"], "debriefed")


def test_hamiltons_theory_of_action_is_tested_by_the_data(platform: Platform,
                                                          token_for: Callable[..., str]) -> None:
    gw = f"{platform.gateway_url}/api/v1"
    auth = bearer(token_for("hamilton", ALL))
    with outside_client() as c:
        def post(path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
            r = c.post(f"{gw}{path}", json=body, headers=auth)
            assert r.status_code == status, r.text
            return r.json()  # type: ignore[no-any-return]

        def get(path: str, **params: Any) -> dict[str, Any]:
            r = c.get(f"{gw}{path}", params=params, headers=auth)
            assert r.status_code == 200, r.text
            return r.json()  # type: ignore[no-any-return]

        hamilton = post("/hr/schools", {"name": "Hamilton Elementary"})["id"]
        north = post("/hr/districts", {"name": "North District"})["id"]
        lincoln = post("/hr/schools", {"name": "Lincoln Elementary", "district_id": north})["id"]
        principal = post("/hr/educators", {"given_name": "P", "family_name": "H", "school_id": hamilton})["id"]
        teacher = post("/hr/educators", {"given_name": "T", "family_name": "L", "school_id": lincoln})["id"]
        assert eventually(lambda: all(c.get(f"{gw}/strategy/directory/{kind}/{i}", headers=auth).status_code == 200
                                      for kind, i in [("schools", hamilton), ("schools", lincoln),
                                                      ("educators", principal), ("educators", teacher)]), 20)

        plan = post("/strategy/plans", {"level": "school", "school_id": hamilton, "title": "Hamilton math",
                                        "vision": "Every student explains their reasoning", "owner_id": principal,
                                        "period_start": PERIODS[INITIATIVE_START], "period_end": PERIODS[-1]})
        assert post(f"/strategy/plans/{plan['id']}/adopt", {}, 200)["status"] == "adopted"
        practice = post(f"/strategy/plans/{plan['id']}/statements", {
            "text": STATEMENT, "if_kind": "milestones", "then_measure": "practice-quality", "lag": 2})
        performance = post(f"/strategy/plans/{plan['id']}/statements", {
            "text": "then math scores rise", "if_kind": "measure", "if_measure": "practice-quality",
            "then_measure": "math", "lag": 3})
        initiative = post(f"/strategy/plans/{plan['id']}/initiatives", {
            "title": "Observe the model classroom", "owner_id": principal, "statement_id": practice["id"],
            "start_period": PERIODS[INITIATIVE_START], "starts_on": "2018-08-20",
            "allocations": [{"school_id": hamilton, "period": "2018-19", "money": 25000, "hours": 120}],
            "milestones": [{"title": "Every teacher has visited", "owner_id": principal,
                            "due_period": PERIODS[10], "due_on": "2019-12-15"}]})
        assert initiative["allocations"][0] == {"school_id": hamilton, "period": "2018-19", "money": 25000,
                                                "hours": 120}

        loaded = post("/strategy/measurements/bulk", {"items": math_rows(hamilton)}, 200)
        assert loaded["created"] == len(MATH)
        assert get(f"/strategy/statements/{performance['id']}")["verdict"] == "untested"

        # ten years of rounds, one each term; each term's index published by observations from its debrief
        rnd = Round(c, gw, auth)
        version = rnd.ok("POST", "/observations/protocols", {"name": "Math rounds", "look_fors": [DISCOURSE]},
                         201).json()["versions"][0]["id"]
        assert eventually(lambda: c.get(f"{gw}/observations/directory/educators/{principal}",
                                        headers=auth).status_code == 200, 20)
        for period, showing in zip(PERIODS, SHOWING, strict=True):
            observe_a_term(rnd, hamilton, version, principal, period, showing)
        published = rnd.ok("GET", f"/observations/schools/{hamilton}/quality?period={PERIODS[-1]}").json()
        assert published["published"] and published["observed_classrooms"] == ROOMS

        def quality_series() -> list[float]:
            return [p["value"] for p in get(f"/strategy/schools/{hamilton}/series/practice-quality")["points"]]

        expected = [s / ROOMS for s in SHOWING]
        assert eventually(lambda: quality_series() == expected, 30), quality_series()
        assert eventually(lambda: get(f"/strategy/statements/{performance['id']}")["verdict"] == "supported", 30)
        evidence = get(f"/strategy/statements/{performance['id']}")["evidence"][hamilton]
        assert evidence["if_moved_at"] == PERIODS[12] and evidence["signal"]["periods"][0] == PERIODS[14]

        trajectory = get(f"/strategy/schools/{hamilton}/trajectory", performance="math")
        assert trajectory["implementation_dip"]["status"] == "recovered"
        assert trajectory["implementation_dip"]["signal"]["periods"] == [PERIODS[INITIATIVE_START]]
        assert trajectory["lag"]["lag"] == 2
        assert trajectory["stage"]["stage"] == "improving"
        chart = get(f"/strategy/schools/{hamilton}/series/math", phase_from=PERIODS[INITIATIVE_START])
        assert [p["value"] for p in chart["points"]] == MATH and len(chart["phases"]) == 2

        # the first step of the theory: every teacher has visited the model classroom (the milestone, due in
        # term 10, reported done); practice quality signalled two terms later, within the statement's lag
        assert get(f"/strategy/statements/{practice['id']}")["verdict"] == "untested"  # the "if" has not moved
        milestone = initiative["milestones"][0]["id"]
        updated = post(f"/strategy/initiatives/{initiative['id']}/updates", {
            "status": "done", "progress": 1, "as_of": "2019-12-10", "milestone_id": milestone}, 200)
        assert updated["milestones"][0]["status"] == "done" and updated["rollup"]["progress"] == 1
        step = get(f"/strategy/statements/{practice['id']}")
        assert step["verdict"] == "supported", step
        assert step["evidence"][hamilton]["if_moved_at"] == PERIODS[10]
        assert step["evidence"][hamilton]["signal"]["periods"][0] == PERIODS[12]

        second = post(f"/strategy/plans/{plan['id']}/initiatives", {
            "title": "New reading software", "owner_id": principal, "start_period": PERIODS[9],
            "starts_on": "2019-01-10"})
        assert second["incoherent"]
        assert get(f"/strategy/plans/{plan['id']}")["incoherent_initiative_ids"] == [second["id"]]

        # Lincoln: the gains demanded of it rise, its professional-learning hours stay flat
        district = post("/strategy/plans", {"level": "district", "district_id": north, "title": "District math",
                                            "vision": "v",
                                            "owner_id": principal, "period_start": "2024-25",
                                            "period_end": "2026-27"})
        for target, due, period in [(52.5, "2025-06-30", "2024-25"), (55, "2026-06-30", "2025-26")]:
            post(f"/strategy/plans/{district['id']}/goals", {
                "school_id": lincoln, "owner_id": principal, "measure": "math", "polarity": "higher",
                "baseline": 50, "baseline_period": "2024-25", "target": target, "due_period": period,
                "due_on": due})
        for completed in ("2024-10-01", "2025-10-01"):
            post("/hr/professional-learning", {"educator_id": teacher, "hours": 20, "topic_code": "math",
                                               "completed_on": completed})

        def flags() -> list[tuple[str, float, bool]]:
            rows = get(f"/strategy/schools/{lincoln}/reciprocity")["rows"]
            return [(r["period"], r["capacity"], r["flag"]) for r in rows]

        assert eventually(lambda: flags() == [("2024-25", 20, False), ("2025-26", 20, True)], 20), flags()
