"""Every pure rule of networks, with worked examples computed by hand."""

from __future__ import annotations

import uuid
from datetime import date

import networkx as nx
import pytest

from services.networks.commitments.horizon import due_for, is_overdue
from services.networks.cycles.pdsa import Stage, may_enter, missing_predictions
from services.networks.graph.leaders import emerging
from services.networks.graph.measures import (
    Tie,
    build,
    directed,
    effective_sizes,
    freeman_degree_centralization,
    graph_measures,
    percentiles,
    person_measures,
    undirected,
)
from services.networks.meetings.chairing import Candidate, rank_chairs, turn
from services.networks.meetings.leadership import Chairing, by_month, leadership_index
from services.networks.networks.rotation import next_host
from services.networks.practices.spread import Adopted, spread
from services.networks.practices.visibility import may_read
from services.networks.problems.criteria import Check, Status, may_move, meets_all, unmet

A, B, C, D, E = (uuid.UUID(int=n) for n in range(1, 6))


# --- host rotation ---

def test_next_host_is_a_school_that_never_hosted_first_in_the_networks_order() -> None:
    assert next_host([A, B, C], [(date(2026, 9, 1), A), (date(2026, 10, 1), B)]) == C
    assert next_host([A, B, C], []) == A


def test_next_host_is_the_school_that_hosted_least_recently() -> None:
    hosted = [(date(2026, 9, 1), B), (date(2026, 10, 1), A), (date(2026, 11, 1), C), (date(2026, 12, 1), A)]
    assert next_host([A, B, C], hosted) == B  # B last hosted in September
    assert next_host([A, B, C], [*hosted, (date(2027, 1, 1), B)]) == C
    assert next_host([A, B], [(date(2026, 9, 1), A), (date(2026, 10, 1), D)]) == B  # D left: ignored
    assert next_host([], []) is None


# --- the five criteria ---

ALL = {c: Check(True, "because") for c in ("instructional_core", "observable", "actionable", "strategic",
                                           "high_leverage")}


def test_a_problem_of_practice_meets_the_five_criteria_only_when_each_is_argued() -> None:
    assert meets_all(ALL) and unmet(ALL) == []
    assert unmet({**ALL, "observable": Check(False, "because")}) == ["observable"]
    assert unmet({**ALL, "actionable": Check(True, "  ")}) == ["actionable"]  # met needs a rationale
    missing = {k: v for k, v in ALL.items() if k != "strategic"}
    assert unmet(missing) == ["strategic"]
    assert unmet({}) == ["instructional_core", "observable", "actionable", "strategic", "high_leverage"]


def test_problem_of_practice_life_cycle() -> None:
    assert may_move(Status.draft, Status.active) and may_move(Status.active, Status.resolved)
    assert not may_move(Status.resolved, Status.active) and not may_move(Status.draft, Status.resolved)
    assert may_move(Status.active, Status.retired) and not may_move(Status.retired, Status.draft)


# --- chair ranking ---

def test_turn_counts_meetings_since_the_last_chairing() -> None:
    history = [C, B, A]  # newest last: A chaired the last meeting, C three meetings ago
    assert turn(A, history) == 0 and turn(B, history) == 0.25 and turn(C, history) == 0.5
    assert turn(D, history) == 1.0
    assert turn(A, [A, B, C, D, E]) == 1.0  # four meetings since: a full turn


def test_chair_ranking_worked_example() -> None:
    # agenda {talk, reasoning}; T knows talk and wrote a reasoning practice but chaired last;
    # Q knows talk and chaired two meetings ago; P (a principal) knows neither and never chaired.
    t, q, p = A, B, C
    ranked = rank_chairs([Candidate(p), Candidate(q, frozenset({"talk"})),
                          Candidate(t, frozenset({"talk"}), frozenset({"reasoning"}))],
                         ["talk", "reasoning"], [q, D, t])
    assert [r.educator_id for r in ranked] == [t, q, p]
    # T: 0.7 * 1 + 0.3 * 0 = 0.7; Q: 0.7 * 0.5 + 0.3 * 0.5 = 0.5; P: 0.7 * 0 + 0.3 * 1 = 0.3
    assert [r.score for r in ranked] == [0.7, 0.5, 0.3]
    assert [r.reason for r in ranked] == ["expertise", "expertise", "rotation"]
    assert ranked[0].matched_tags == ["reasoning", "talk"] and ranked[0].rank == 1
    assert ranked[0].explanation == "knows 2 of the agenda's 2 tags (reasoning, talk); chaired the last meeting"
    assert ranked[2].explanation == "matches none of the agenda's tags; has never chaired"


def test_without_agenda_tags_the_ranking_is_pure_rotation_and_ties_are_stable() -> None:
    ranked = rank_chairs([Candidate(B), Candidate(A), Candidate(C)], [], [C])
    assert [r.educator_id for r in ranked] == [A, B, C]
    assert all(r.reason == "rotation" for r in ranked)


# --- distributed-leadership index ---

def test_distributed_leadership_index_worked_example() -> None:
    chairings = [Chairing(date(2026, 9, 1), A, "position"), Chairing(date(2026, 10, 1), B, "expertise"),
                 Chairing(date(2026, 10, 20), A, "rotation")]
    index = leadership_index(chairings, members=4)
    # share 2/3; spread (1 - (2/3)^2 - (1/3)^2) / (1 - 1/4) = (4/9) / (3/4) = 16/27
    assert index.share == round(2 / 3, 4) and index.spread == round(16 / 27, 4)
    assert index.index == round((2 / 3 + 16 / 27) / 2, 4) and index.meetings == 3
    series = by_month(chairings, members=4)
    assert [p for p, _ in series] == ["2026-09", "2026-10"]
    assert series[0][1].index == 0.0 and series[1][1] == index


def test_leadership_index_extremes() -> None:
    one = [Chairing(date(2026, 9, d), A, "position") for d in (1, 2, 3)]
    assert leadership_index(one, 5).index == 0.0
    even = [Chairing(date(2026, 9, n + 1), x, "rotation") for n, x in enumerate([A, B, C])]
    assert leadership_index(even, 3).spread == 1.0 and leadership_index(even, 3).index == 1.0
    assert leadership_index([], 3).meetings == 0


# --- graph measures, against hand computation ---

# A-B, A-C, B-C mutual (a triangle), A->D a mentoring tie (one way): D hangs off A.
SMALL = [Tie(A, B, "co_attendance"), Tie(A, C, "joint_visit"), Tie(B, C, "co_attendance"), Tie(A, D, "mentoring")]


def test_graph_measures_of_a_small_graph() -> None:
    m = graph_measures(build(SMALL))
    assert (m.nodes, m.edges) == (4, 4)
    assert m.density == round(4 / 6, 6)  # 4 ties of 6 possible
    assert m.reciprocity == round(6 / 7, 6)  # 7 arcs, 6 of them returned
    # degrees 3, 2, 2, 1: (0 + 1 + 1 + 2) / ((4 - 1)(4 - 2)) = 4/6
    assert m.centralization == round(4 / 6, 6)


def test_person_measures_of_a_small_graph() -> None:
    people = person_measures(build(SMALL))
    assert [people[x].degree for x in (A, B, C, D)] == [3, 2, 2, 1]
    # only A lies between others: D-B and D-C; 2 of the 3 pairs it could lie on
    assert people[A].betweenness == round(2 / 3, 6)
    assert people[B].betweenness == people[C].betweenness == people[D].betweenness == 0
    # Burt: A has 3 neighbours with 1 tie among them: 3 - 2*1/3; B: 2 - 2*1/2; D: 1 - 0
    assert people[A].effective_size == round(3 - 2 / 3, 6)
    assert people[B].effective_size == 1.0 and people[D].effective_size == 1.0


def test_effective_size_is_networkx_burt_effective_size() -> None:
    g = nx.gnm_random_graph(40, 120, seed=3)
    ours, theirs = effective_sizes(g), nx.effective_size(g)
    assert all(abs(ours[v] - theirs[v]) < 1e-9 for v in g if g.degree(v))


def test_freeman_centralization_of_a_star_is_one_and_of_a_ring_zero() -> None:
    assert freeman_degree_centralization(nx.star_graph(5)) == 1.0
    assert freeman_degree_centralization(nx.cycle_graph(6)) == 0.0


def test_weights_add_up_per_pair_and_isolated_members_count() -> None:
    g = directed([Tie(A, B, "co_attendance"), Tie(B, A, "co_attendance", 2.0)], nodes=[C])
    assert g[A][B]["weight"] == 3.0 and undirected(g)[A][B]["weight"] == 6.0
    assert graph_measures(build([Tie(A, B, "co_attendance")], nodes=[C])).density == round(1 / 3, 6)


def test_reciprocity_is_networkx_reciprocity_of_the_directed_graph() -> None:
    import random
    rng = random.Random(5)
    people = [uuid.UUID(int=n) for n in range(1, 30)]
    ties = [Tie(rng.choice(people), rng.choice(people), rng.choice(["mentoring", "mentoring", "co_attendance"]))
            for _ in range(120)]
    assert graph_measures(build(ties)).reciprocity == round(nx.reciprocity(directed(ties)), 6)


def test_percentiles_count_strictly_lower_values_over_everyone() -> None:
    assert percentiles({A: 2 / 3, B: 0.0, C: 0.0, D: 0.0}) == {A: 0.75, B: 0.0, C: 0.0, D: 0.0}
    assert percentiles({}) == {}


# --- emerging leaders ---

def test_emerging_means_rising_in_each_of_the_last_k_periods() -> None:
    series = {A: [0.0, 0.71, 0.89], B: [0.5, 0.9, 0.9], C: [None, 0.2, 0.4], D: [0.9, 0.1, 0.5], E: [0.1, 0.2]}
    assert emerging(series, k=2) == [A, C]  # C was not in the graph yet (None = 0), then rose twice
    assert emerging(series, k=1) == [A, C, D, E]  # E has only two periods: enough for k = 1


# --- practice spread ---

def test_spread_counts_schools_networks_and_time_to_first_adoption() -> None:
    adoptions = [Adopted(A, D, date(2026, 11, 10)), Adopted(B, D, date(2026, 11, 3)),
                 Adopted(C, None, date(2026, 12, 1)), Adopted(A, E, date(2026, 12, 2))]
    s = spread(adoptions, date(2026, 11, 1))
    assert (s.schools, s.networks, s.days_to_first_adoption) == (3, 2, 2)
    assert spread(adoptions, None).days_to_first_adoption is None
    assert spread([], date(2026, 11, 1)).schools == 0


# --- practice visibility (inside the practice's tenant) ---

def test_a_network_practice_is_read_by_its_networks_schools_and_its_origin() -> None:
    # origin A, network of A and B; C is outside
    assert may_read("network", A, [A, B], None)  # a token of the whole tenant
    assert may_read("network", A, [A, B], {B}) and may_read("network", A, [A, B], {C, B})
    assert may_read("network", A, [], {A})  # its origin school's, with or without a network
    assert not may_read("network", A, [A, B], {C})
    assert not may_read("network", A, [], {B})


def test_a_tenant_or_published_practice_is_read_by_every_token_of_the_tenant() -> None:
    for visibility in ("tenant", "published"):
        assert may_read(visibility, A, [A, B], {C}) and may_read(visibility, A, [], {C})


# --- commitments ---

@pytest.mark.parametrize(("horizon", "day", "due"), [
    ("next_week", date(2026, 11, 24), date(2026, 12, 1)),
    ("next_month", date(2026, 11, 24), date(2026, 12, 24)),
    ("end_of_year", date(2026, 11, 24), date(2027, 6, 30)),
    ("end_of_year", date(2027, 3, 1), date(2027, 6, 30)),
    ("end_of_year", date(2027, 7, 2), date(2028, 6, 30)),
])
def test_a_horizon_gives_a_due_date(horizon: str, day: date, due: date) -> None:
    assert due_for(horizon, day) == due


def test_only_open_commitments_past_due_are_overdue() -> None:
    assert is_overdue("open", date(2026, 11, 1), date(2026, 11, 2))
    assert not is_overdue("open", date(2026, 11, 2), date(2026, 11, 2))
    assert not is_overdue("fulfilled", date(2026, 11, 1), date(2026, 11, 2))


# --- PDSA ---

def test_pdsa_order_and_predictions() -> None:
    assert may_enter(Stage.plan, Stage.do) and may_enter(Stage.study, Stage.act)
    assert not may_enter(Stage.plan, Stage.study) and not may_enter(Stage.act, Stage.plan)
    assert missing_predictions([{"question": "q", "prediction": "p"}, {"question": "r", "prediction": " "},
                                {"question": "s"}]) == [1, 2]
    assert missing_predictions([]) == [0]
