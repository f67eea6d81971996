from __future__ import annotations

from datetime import date

import pytest

from services.observations.quality.index import (
    ClassroomEvidence,
    publishable,
    quality_index,
    school_term,
    term_dates,
)

HAMILTON = {"T1": 1.0, "T2": -1.0, "S1": 1.0, "S2": -1.0, "K1": 1.0, "E1": 1.0}


def room(observers: int = 1, **seen: int) -> ClassroomEvidence:
    return ClassroomEvidence(observers, seen)


def test_quality_index_shares_and_overall() -> None:
    index = quality_index([room(T1=1, S2=1), room(T1=1), room(T1=1), room()], {"T1": 1.0, "S2": 1.0})
    assert index.shares == {"T1": 0.75, "S2": 0.25} and index.overall == 0.5
    assert quality_index([], {"T1": 1.0}).overall is None


def test_direct_instruction_everywhere_is_not_a_perfect_school() -> None:
    """Issue 10: averaging only over look-fors ever counted gave 1.0 to a school where every room shows
    only "teacher demonstrates step by step" and "students practise alone"."""
    rooms = [room(T2=1, S2=1) for _ in range(5)]
    assert quality_index(rooms, dict.fromkeys(HAMILTON, 1.0)).overall == pytest.approx(2 / 6)  # denominator fixed
    assert quality_index(rooms, HAMILTON).overall == pytest.approx(0.0)  # and those two are counted against
    model = [room(T1=1, S1=1, K1=1, E1=1) for _ in range(5)]
    assert quality_index(model, HAMILTON).overall == pytest.approx(1.0)


def test_team_size_does_not_inflate_the_index() -> None:
    """Issue 10: a classroom "showed" a look-for when any observer tagged it; four observers inflated it."""
    alone = [room(1, S1=1), room(1, S1=1), room(1), room(1), room(1)]  # 2 of 5 rooms: 0.40
    team = [room(4, S1=1) for _ in range(5)]  # every room: one observer of four saw it once
    assert quality_index(alone, {"S1": 1.0}).shares["S1"] == pytest.approx(0.40)
    assert quality_index(team, {"S1": 1.0}).shares["S1"] == pytest.approx(0.25)
    assert quality_index([room(4, S1=4)], {"S1": 1.0}).shares["S1"] == 1.0


def test_published_only_from_the_minimum_of_classrooms() -> None:
    assert not publishable(4) and publishable(5)
    assert not publishable(2, minimum=3) and publishable(3, minimum=3)


def test_default_period_is_the_school_term() -> None:
    assert school_term(date(2026, 9, 15)) == "2026-27-T1"
    assert school_term(date(2027, 3, 1)) == "2026-27-T2"
    assert term_dates("2026-27-T1") == (date(2026, 8, 1), date(2026, 12, 31))
    assert term_dates("2026-27-T2") == (date(2027, 1, 1), date(2027, 7, 31))
