"""Examples of the chart-ready series and the trajectory, for the API document (both answer a plain dict).

One school's grade 7 math over ten trimesters, as the rules compute them: a frozen baseline of six
points, an initiative started in 2025-26-T1, practice quality up at once, an implementation dip in math,
its recovery, then a gain in 2026-27-T1.
"""

from __future__ import annotations

from typing import Any

from libs.common.openapi_examples import example_id
from services.strategy.trajectories import rules
from services.strategy.trajectories.service import rules_view

PERIODS = [f"{year}-{term}" for year in ("2023-24", "2024-25", "2025-26") for term in ("T1", "T2", "T3")] + [
    "2026-27-T1"]
MATH = [34.0, 37.0, 35.0, 38.0, 36.0, 36.0, 30.0, 33.0, 37.0, 44.0]
QUALITY = [0.50, 0.54, 0.51, 0.55, 0.52, 0.53, 0.62, 0.60, 0.61, 0.63]
LIMITS = {"centre": 36.0, "lower": 30.68, "upper": 41.32}


def _signal(direction: str, threshold: float, observed: float, point: int) -> dict[str, Any]:
    return {"rule": "outside-limits", "direction": direction, "threshold": threshold, "observed": observed,
            "phase": 0, "points": [point], "periods": [PERIODS[point]]}


DIP, GAIN = _signal("down", 30.68, 30.0, 6), _signal("up", 41.32, 44.0, 9)

SERIES_EXAMPLE: dict[str, Any] = {
    "school_id": example_id("school_id"), "measure": "math-g7", "shift": 6, "trend": 5, "freeze": 6,
    "points": [{"period": p, "value": v, "phase": 0, "median": 36.0, **LIMITS, "baseline": n < 6}
               for n, (p, v) in enumerate(zip(PERIODS, MATH, strict=True))],
    "phases": [{"start_period": PERIODS[0], "end_period": PERIODS[-1], "baseline_points": 6, "median": 36.0,
                "limits": {**LIMITS, "mean_moving_range": 2.0},
                "anhoej": {"useful_points": 8, "longest_run": 2, "longest_run_max": 6, "crossings": 5,
                           "crossings_min": 1, "signal": False}}],
    "freeze_ignored": False,
    "signals": [DIP, GAIN],
    "marks": [{"kind": "initiative", "initiative_id": example_id("number_talks_initiative_id"), "period": "2025-26-T1"},
              {"kind": "initiative", "initiative_id": example_id("initiative_id"), "period": "2026-27-T1"},
              {"kind": "cycle", "cycle_id": example_id("cycle_id"), "on": "2026-10-29", "decision": "adapt"}],
}

TRAJECTORY_EXAMPLE: dict[str, Any] = {
    "school_id": example_id("school_id"), "performance_measure": "math-g7", "quality_measure": "practice-quality",
    "periods": PERIODS, "baseline_points": 6, "initiative_start_period": "2025-26-T1",
    "implementation_dip": {"status": "recovered", "signal": DIP, "bottom_period": "2025-26-T1",
                           "recovered_period": "2025-26-T3", "baseline_median": 36.0},
    "plateau": {"detected": False, "gain": GAIN, "periods_since_gain": 0, "threshold": 6},
    "see_saw": {"detected": False, "quality_signal": _signal("up", 0.6048, 0.62, 6), "performance_signal": GAIN,
                "lag": 3},
    "lag": {"lag": 3, "correlation": 0.633786, "pairs": 7,
            "warning": "only 7 overlapping points at lag 3 (fewer than 10): too short to say",
            "by_lag": {"0": 0.240028, "1": 0.343002, "2": 0.569396, "3": 0.633786, "4": 0.447214}},
    "rules": {name: {"freeze": 6, **rules_view(PERIODS, rules.analyse(values, freeze=6))}
              for name, values in (("performance", MATH), ("quality", QUALITY))},
    "stage": {"stage": "improving", "reasons": ["performance signals up against its baseline"], "signals": [GAIN]},
}


def example_response(example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """A route's `responses` entry showing `example` on its 200 body."""
    return {200: {"content": {"application/json": {"example": example}}}}
