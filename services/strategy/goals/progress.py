"""A goal's progress, variance from target, current trend and status. Pure functions."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Polarity = Literal["higher", "lower"]
Status = Literal["open", "met", "missed"]


def target_contradiction(polarity: Polarity, baseline: float, target: float) -> str | None:
    """A target must lie on the better side of the baseline: why not, or None."""
    if polarity == "higher" and target <= baseline:
        return "a goal where higher is better needs a target above its baseline"
    if polarity == "lower" and target >= baseline:
        return "a goal where lower is better needs a target below its baseline"
    return None


def meets(polarity: Polarity, value: float, target: float) -> bool:
    return value >= target if polarity == "higher" else value <= target


def progress(baseline: float, target: float, latest: float | None) -> float | None:
    """Share of the way from baseline to target (negative: worse than the baseline)."""
    if latest is None:
        return None
    return round((latest - baseline) / (target - baseline), 6)


@dataclass(frozen=True)
class Trend:
    direction: Literal["rising", "falling", "flat"]
    periods: int  # how many periods it has lasted (changes in a row, equal neighbours counted once)


def current_trend(values: Sequence[float]) -> Trend:
    """The direction of the latest changes and how many periods in a row it has lasted."""
    steps = [b - a for a, b in itertools.pairwise(values) if b != a]
    if not steps:
        return Trend("flat", max(len(values) - 1, 0))
    sign = steps[-1] > 0
    n = 0
    for s in reversed(steps):
        if (s > 0) != sign:
            break
        n += 1
    return Trend("rising" if sign else "falling", n)


def status(polarity: Polarity, target: float, due_period: str, series: Sequence[tuple[str, float]]) -> tuple[
        Status, str | None]:
    """met: a value by the due period reaches the target; missed: a later period arrived without it."""
    for period, value in series:
        if period <= due_period and meets(polarity, value, target):
            return "met", period
    later = [p for p, _ in series if p > due_period]
    if later:
        return "missed", later[0]
    return "open", None
