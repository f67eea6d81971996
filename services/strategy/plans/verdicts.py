"""A theory-of-action statement's verdict, computed from the data with its evidence. Pure functions.

- untested: the "if" has not moved, or too few points after it moved to judge the "then";
- supported: the "then" measure signals in the expected direction within the lag window;
- contradicted: the "if" moved and the window passed without that signal, or the "then" moved the
  other way within it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from services.strategy.trajectories import detectors, rules
from services.strategy.trajectories.rules import DEFAULT_SHIFT, DEFAULT_TREND, Direction, Value

Verdict = Literal["untested", "supported", "contradicted"]
MIN_BASELINE = 3


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


def first_index_from(periods: Sequence[str], period: str) -> int:
    """The index of the first period at or after `period` (periods sort in time order)."""
    return bisect_left(list(periods), period)


def if_moved(periods: Sequence[str], values: Sequence[Value], direction: Direction, baseline_end: int, *,
             shift: int = DEFAULT_SHIFT, trend: int = DEFAULT_TREND) -> str | None:
    """The period where an "if" measure began to signal in `direction` against its baseline."""
    found = detectors.signals_against_baseline(values, baseline_end, direction, shift=shift, trend=trend)
    return periods[min(s.onset for s in found)] if found else None


def judge(moved_at: str | None, periods: Sequence[str], values: Sequence[Value], direction: Direction, lag: int,
          *, shift: int = DEFAULT_SHIFT, trend: int = DEFAULT_TREND) -> Judgement:
    """Judge the "then" series (`periods`, `values`) after the "if" moved at period `moved_at`."""
    if moved_at is None:
        return Judgement("untested", "the \"if\" has not moved yet")
    m = first_index_from(periods, moved_at)
    base = len(rules.present(values, 0, m))
    evidence: dict[str, Any] = {"if_moved_at": moved_at, "window": lag, "baseline_points": base}
    if base < MIN_BASELINE:
        return Judgement("untested", f"fewer than {MIN_BASELINE} points of the \"then\" before the \"if\" moved",
                         evidence)
    window_end = m + lag  # the onset must fall in periods m .. m + lag
    opposite: Direction = "down" if direction == "up" else "up"
    outcomes: tuple[tuple[Direction, Verdict], ...] = ((direction, "supported"), (opposite, "contradicted"))
    for wanted, verdict in outcomes:
        hits = [s for s in detectors.signals_against_baseline(values, m, wanted, shift=shift, trend=trend)
                if m <= s.onset <= window_end]
        if hits:
            s = hits[0]
            evidence["signal"] = {"rule": s.rule, "direction": s.direction, "threshold": s.threshold,
                                  "observed": s.observed, "periods": [periods[i] for i in s.indices]}
            moved = "in the expected direction" if verdict == "supported" else "the other way"
            return Judgement(verdict, f"the \"then\" signalled {moved} {s.onset - m} period(s) after the \"if\"",
                             evidence)
    after = len(rules.present(values, m, window_end + 1))
    evidence["points_in_window"] = after
    if window_end < len(values) and after > 0:
        return Judgement("contradicted", "the window passed and the \"then\" did not signal", evidence)
    return Judgement("untested", "too few points after the \"if\" moved", evidence)


def overall(judgements: Sequence[Judgement]) -> Verdict:
    """One verdict over the plan's schools: contradicted if more schools contradict than support it."""
    supported = sum(j.verdict == "supported" for j in judgements)
    contradicted = sum(j.verdict == "contradicted" for j in judgements)
    if contradicted > supported:
        return "contradicted"
    if supported:
        return "supported"
    return "untested"
