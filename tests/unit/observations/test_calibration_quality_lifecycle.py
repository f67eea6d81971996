from __future__ import annotations

from datetime import date

import pytest

from services.observations.calibration import (
    cohen_kappa,
    fleiss_kappa,
    look_for_agreement,
    observer_agreement,
    percent_agreement,
)
from services.observations.lifecycle import (
    IllegalTransition,
    RecordStatus,
    VisitStatus,
    next_record_status,
    next_visit_status,
    record_editable,
)
from services.observations.quality import count_changes, patterns, quality_index, school_term


def test_cohen_kappa_worked_example() -> None:
    # 50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4
    a = ["y"] * 20 + ["y"] * 5 + ["n"] * 10 + ["n"] * 15
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(["y", "y"], ["y", "y"]) is None  # agreement is all chance: undefined


def test_fleiss_kappa_worked_example() -> None:
    # Fleiss (1971) as worked in the literature: 10 subjects, 14 raters, 5 categories -> 0.210
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
              [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert fleiss_kappa(counts) == pytest.approx(0.2099, abs=1e-4)
    assert percent_agreement(counts) == pytest.approx(0.378, abs=1e-3)
    with pytest.raises(ValueError):
        fleiss_kappa([[1, 1], [2, 1]])


def test_calibration_per_look_for_and_per_observer() -> None:
    codings = {
        "ana": {"seg1": {"T1", "S2"}, "seg2": {"T1"}, "seg3": set()},
        "ben": {"seg1": {"T1", "S2"}, "seg2": {"T1"}, "seg3": set()},
        "cruz": {"seg1": {"T1"}, "seg2": set(), "seg3": {"S2"}},
    }
    by_code = {a.code: a for a in look_for_agreement(codings, ["T1", "S2"])}
    assert by_code["T1"].method == "fleiss" and by_code["T1"].items == 3
    assert by_code["T1"].percent_agreement == pytest.approx((1 + 1 / 3 + 1) / 3)
    assert by_code["S2"].percent_agreement == pytest.approx((1 / 3 + 1 + 1 / 3) / 3)
    per_observer = observer_agreement(codings, ["T1", "S2"])
    assert per_observer["ana"] == per_observer["ben"] == 1.0 and per_observer["cruz"] == pytest.approx(3 / 6)
    two = look_for_agreement({k: codings[k] for k in ("ana", "cruz")}, ["T1"])[0]
    assert two.method == "cohen"


def test_debrief_patterns_count_classrooms_and_notes() -> None:
    notes = {"room-1": [{"T1"}, {"T1", "S2"}], "room-2": [{"S2"}], "room-3": [set()]}
    got = {p.code: (p.classrooms, p.notes) for p in patterns(notes, ["T1", "S2", "E1"])}
    assert got == {"T1": (1, 2), "S2": (2, 2), "E1": (0, 0)}


def test_quality_index_from_running_counts() -> None:
    index = quality_index(4, {"T1": 3, "S2": 1}, ["T1", "S2"])
    assert index.shares == {"T1": 0.75, "S2": 0.25} and index.overall == 0.5
    assert quality_index(0, {}, ["T1"]).overall is None
    assert count_changes(None, {"T1"}) == (1, {"T1": 1})
    assert count_changes({"T1", "S2"}, {"T1", "E1"}) == (0, {"E1": 1, "S2": -1})


def test_default_period_is_the_school_term() -> None:
    assert school_term(date(2026, 9, 15)) == "2026-27-T1"
    assert school_term(date(2027, 3, 1)) == "2026-27-T2"


def test_lifecycles_refuse_illegal_transitions() -> None:
    assert next_visit_status(VisitStatus.planned, VisitStatus.in_progress) == VisitStatus.in_progress
    with pytest.raises(IllegalTransition) as skipped:
        next_visit_status(VisitStatus.planned, VisitStatus.debriefed)
    assert "in_progress" in str(skipped.value)
    assert next_record_status(RecordStatus.submitted, RecordStatus.reopened, VisitStatus.in_progress)
    with pytest.raises(IllegalTransition):
        next_record_status(RecordStatus.submitted, RecordStatus.reopened, VisitStatus.debriefed)
    assert record_editable(RecordStatus.reopened, VisitStatus.in_progress)
    assert not record_editable(RecordStatus.submitted, VisitStatus.in_progress)
    assert not record_editable(RecordStatus.draft, VisitStatus.debriefed)
