"""networks' problems of practice, replicated from its events: a visit's `problem_of_practice_id` is
checked locally, and the visits that examined a problem are listed."""

from __future__ import annotations

import uuid

from libs.contracts.networks import ProblemOfPracticePosed, ProblemOfPracticeResolved
from tests.integration.observations.conftest import Obs


async def test_a_visit_names_a_known_problem_of_practice_of_its_school(obs: Obs) -> None:
    version = (await obs.protocol())["versions"][0]["id"]
    posed = ProblemOfPracticePosed(problem_of_practice_id=uuid.uuid4(), school_id=obs.school, network_id=None,
                                   status="draft", version=1)
    elsewhere = ProblemOfPracticePosed(problem_of_practice_id=uuid.uuid4(), school_id=uuid.uuid4(), network_id=None,
                                       status="posed", version=1)
    unknown = await obs.ok("POST", "/visits", obs.visit_body(version, problem_of_practice_id=str(
        posed.problem_of_practice_id)), 422)
    assert [e["field"] for e in unknown.json()["errors"]] == ["problem_of_practice_id"]
    assert await obs.sql("SELECT count(*) FROM visits") == 0

    await obs.consume(posed, posed, elsewhere)  # the same event twice: one row
    assert await obs.sql("SELECT count(*) FROM problems_of_practice") == 2
    other_school = await obs.ok("POST", "/visits", obs.visit_body(version, problem_of_practice_id=str(
        elsewhere.problem_of_practice_id)), 422)
    assert [e["field"] for e in other_school.json()["errors"]] == ["problem_of_practice_id"]
    visit = (await obs.ok("POST", "/visits", obs.visit_body(
        version, problem_of_practice_id=str(posed.problem_of_practice_id)), 201)).json()
    assert visit["problem_of_practice_id"] == str(posed.problem_of_practice_id)

    examined = (await obs.ok("GET", f"/problems-of-practice/{posed.problem_of_practice_id}/visits")).json()
    assert [v["id"] for v in examined] == [visit["id"]]
    none = (await obs.ok("GET", f"/problems-of-practice/{elsewhere.problem_of_practice_id}/visits")).json()
    assert none == []
    foreign = await obs.client.get(f"/problems-of-practice/{posed.problem_of_practice_id}/visits",
                                   headers=obs.auth("district-b"))
    assert foreign.status_code == 404


async def test_an_older_event_never_overwrites_a_newer_one(obs: Obs) -> None:
    problem = uuid.uuid4()
    resolved = ProblemOfPracticeResolved(problem_of_practice_id=problem, school_id=obs.school, status="resolved",
                                         version=3)
    stale = ProblemOfPracticePosed(problem_of_practice_id=problem, school_id=obs.school, network_id=None,
                                   status="posed", version=2)
    await obs.consume(resolved, stale)
    assert await obs.sql("SELECT status FROM problems_of_practice WHERE problem_of_practice_id = $1",
                         problem) == "resolved"
