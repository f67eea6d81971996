from __future__ import annotations

import pytest

from services.observations.calibration.agreement import (
    cohen_kappa,
    fleiss_kappa,
    fleiss_with_interval,
    look_for_agreement,
    observer_agreement,
    percent_agreement,
)


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


def test_kappa_interval_hand_worked_example() -> None:
    """Issue 10: 8 segments, two observers. By hand: the pair agrees on 6 of 8 (P = 0.75); 10 of 16
    marks are "yes", so Pe = 0.625^2 + 0.375^2 = 0.53125 and kappa = (0.75 - 0.53125) / 0.46875 = 0.4667;
    SE = sqrt(0.75 * 0.25 / (8 * 0.46875^2)) = 0.3266; 95%: 0.4667 -/+ 1.96 * 0.3266 = (-0.174, 1.107)."""
    counts = [[2, 0]] * 4 + [[1, 1]] * 2 + [[0, 2]] * 2
    k = fleiss_with_interval(counts)
    assert k.value == pytest.approx(0.4667, abs=1e-4)
    assert k.standard_error == pytest.approx(0.3266, abs=1e-4)
    assert k.low == pytest.approx(-0.1735, abs=1e-3) and k.high == pytest.approx(1.1068, abs=1e-3)


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
    assert by_code["T1"].ci_low is not None and by_code["T1"].ci_low < by_code["T1"].kappa < by_code["T1"].ci_high
    per_observer = observer_agreement(codings, ["T1", "S2"])
    # chance-corrected against the others' consensus: cruz matches it on 3 of 6 decisions, exactly what
    # chance gives with her and the consensus' marginals (pe = 1/3 * 1/2 + 2/3 * 1/2 = 0.5): kappa 0
    assert per_observer["ana"] == per_observer["ben"] == 1.0 and per_observer["cruz"] == pytest.approx(0.0)
    two = look_for_agreement({k: codings[k] for k in ("ana", "cruz")}, ["T1"])[0]
    # one method for any team size (issue 10): Fleiss, with Cohen's beside it for a pair
    assert two.method == "fleiss" and two.cohen_kappa is not None


def test_an_observer_who_codes_nothing_does_not_score_well() -> None:
    """Issue 10: an observer who coded nothing scored 0.79 (the share of "no" matching the majority)."""
    items = {f"seg{i}": {"T1"} if i % 3 == 0 else {"S1"} if i % 3 == 1 else set() for i in range(9)}
    codings = {"ana": items, "ben": items, "cruz": items, "dan": {k: set() for k in items}}
    per_observer = observer_agreement(codings, ["T1", "S1", "K1"])
    assert per_observer["ana"] == 1.0
    assert per_observer["dan"] == pytest.approx(0.0)
