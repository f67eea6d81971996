"""Pipeline figures with worked examples: coverage, bench strength, succession risk, the forecast."""

from __future__ import annotations

import uuid
from datetime import date

from services.hr.ladder.rules import DEFAULT_LADDER
from services.hr.mentoring.rules import Novice, alerts, mentor_problem
from services.hr.pipeline.rules import (
    Candidate,
    Post,
    bench_by_school,
    bench_strength,
    coverage,
    coverage_by_school,
    exit_rates,
    succession_risk,
    vacancy_forecast,
)
from services.hr.residencies.rules import placement_problems

HAMILTON, LINCOLN = uuid.uuid4(), uuid.uuid4()


def ids(n: int) -> list[uuid.UUID]:
    return [uuid.uuid4() for _ in range(n)]


def test_coverage_worked_example() -> None:
    # Hamilton: 4 novices, 3 mentored -> 0.75; Lincoln: 2 novices, none -> 0; all: 3 / 6 = 0.5
    figures = coverage_by_school([(HAMILTON, 4, 3), (LINCOLN, 2, 0)])
    assert figures[str(HAMILTON)]["coverage"] == 0.75 and figures[str(LINCOLN)]["coverage"] == 0.0
    assert figures["all"] == {"novices": 6, "mentored": 3, "coverage": 0.5}
    assert coverage(0, 0) == 1.0  # no novice lacks a mentor


def test_bench_strength_counts_ready_now_successors_of_the_posts_school_and_stage() -> None:
    principal_h, ap_h, principal_l = Post(uuid.uuid4(), HAMILTON, "principal"), \
        Post(uuid.uuid4(), HAMILTON, "assistant_principal"), Post(uuid.uuid4(), LINCOLN, "principal")
    a, b, c, d = ids(4)
    incumbent = uuid.uuid4()
    principal_h = Post(principal_h.id, HAMILTON, "principal", incumbent)
    candidates = [
        Candidate(a, HAMILTON, "principal", "ready_now"),        # counts for Hamilton's principal
        Candidate(b, HAMILTON, "principal", "one_to_two_years"),  # not ready now
        Candidate(c, LINCOLN, "principal", "ready_now"),          # another school's
        Candidate(d, HAMILTON, "system_leader", "ready_now"),     # another stage
        Candidate(incumbent, HAMILTON, "principal", "ready_now"),  # the incumbent does not succeed themself
    ]
    bench = bench_strength([principal_h, ap_h, principal_l], candidates)
    assert bench == {principal_h.id: 1, ap_h.id: 0, principal_l.id: 1}
    assert succession_risk([principal_h, ap_h, principal_l], bench) == [ap_h.id]
    assert bench_by_school([principal_h, ap_h, principal_l], bench)[str(HAMILTON)] == {
        "posts": 2, "ready_now": 1, "at_risk": 1}


def test_a_post_goes_from_risk_to_bench_strength_one_when_its_successor_is_ready_now() -> None:
    post = Post(uuid.uuid4(), HAMILTON, "principal")
    resident = uuid.uuid4()
    before = bench_strength([post], [Candidate(resident, HAMILTON, "principal", "one_to_two_years")])
    assert succession_risk([post], before) == [post.id]
    after = bench_strength([post], [Candidate(resident, HAMILTON, "principal", "ready_now")])
    assert after[post.id] == 1 and succession_risk([post], after) == []


def test_vacancy_forecast_worked_example() -> None:
    # principals: 8 still in the stage, 2 moved out in the year -> 2 / 10 = 0.2; 5 principal posts -> 1.0
    # assistant principals: nobody left -> 0; teachers have no posts, so no forecast line
    rates = exit_rates({"principal": 2, "novice_teacher": 30}, {"principal": 8, "novice_teacher": 70,
                                                                  "principal_resident": 3})
    assert rates["principal"] == 0.2 and rates["novice_teacher"] == 0.3 and rates["principal_resident"] == 0.0
    posts = [Post(uuid.uuid4(), uuid.uuid4(), "principal") for _ in range(5)] + \
            [Post(uuid.uuid4(), uuid.uuid4(), "principal_resident")]
    assert vacancy_forecast(posts, rates) == {
        "principal": {"posts": 5, "exit_rate": 0.2, "expected_vacancies": 1.0},
        "principal_resident": {"posts": 1, "exit_rate": 0.0, "expected_vacancies": 0.0}}
    assert exit_rates({}, {}) == {}


def test_a_mentor_is_of_a_higher_stage_within_capacity() -> None:
    assert mentor_problem(DEFAULT_LADDER, "intermediate_teacher", "novice_teacher", 0) is None
    assert "higher stage" in (mentor_problem(DEFAULT_LADDER, "novice_teacher", "novice_teacher", 0) or "")
    assert "higher stage" in (mentor_problem(DEFAULT_LADDER, "applicant", "novice_teacher", 0) or "")
    assert "capacity" in (mentor_problem(DEFAULT_LADDER, "teacher_leader", "novice_teacher", 3) or "")


def test_alerts_after_the_grace_period_only() -> None:
    mentored, waiting, fresh = ids(3)
    novices = [Novice(mentored, HAMILTON, date(2026, 1, 1)), Novice(waiting, HAMILTON, date(2026, 1, 1)),
               Novice(fresh, HAMILTON, date(2026, 1, 20))]
    # 30 days of grace: on Jan 31 the Jan 1 novice is due, the Jan 20 one is not
    assert [n.educator_id for n in alerts(novices, {mentored}, 30, date(2026, 1, 31))] == [waiting]
    assert alerts(novices, {mentored}, 30, date(2026, 1, 30)) == []


def test_a_residency_is_in_another_school_under_a_principal() -> None:
    start = date(2026, 8, 1)
    assert placement_problems("principal_resident", HAMILTON, LINCOLN, "principal", start, None) == []
    own = placement_problems("principal_resident", HAMILTON, HAMILTON, "principal", start, None)
    assert own == [(409, "school_id", "a residency is in another school than the resident's own")]
    fields = [p[1] for p in placement_problems("novice_teacher", HAMILTON, LINCOLN, "teacher_leader", start,
                                               date(2026, 7, 1))]
    assert fields == ["resident_id", "supervisor_id", "ends_on"]
