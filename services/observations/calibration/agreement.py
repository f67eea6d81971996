"""Calibration: several observers code the same classroom segments; how far do they agree?

Each observer marks, for each item (a segment or a piece of evidence), which look-fors it shows. Per
look-for the items are the subjects and "shows it / does not" the categories.

One method for any team size: Fleiss' kappa (with two observers it differs from Cohen's only in
pooling the two observers' marginals; Cohen's is reported beside it then), always with its large-sample
standard error sqrt(P(1-P) / (N (1-Pe)^2)) and the 95% Wald interval, unclipped, so that 8 segments
honestly show how little they say. Per observer: Cohen's kappa between the observer's decisions and the
consensus of the others (their majority; ties left out), so an observer who codes nothing scores 0,
not the share of "no" decisions that happen to match. Pure functions.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

Codings = Mapping[str, Mapping[str, frozenset[str] | set[str]]]  # observer -> item -> look-for codes shown
# The standard library's normal quantile (the same 1.959963984540054 as scipy's norm.ppf): importing
# scipy.stats for one constant cost the API process about 60 MB and 0.6 s at start-up.
Z95 = NormalDist().inv_cdf(0.975)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters over the same subjects; None when chance agreement is total."""
    if len(a) != len(b) or not a:
        raise ValueError("two raters need the same, non-empty list of subjects")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    categories = set(a) | set(b)
    expected = sum((list(a).count(c) / n) * (list(b).count(c) / n) for c in categories)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def _check_counts(counts: Sequence[Sequence[int]]) -> int:
    if not counts:
        raise ValueError("no subjects")
    raters = sum(counts[0])
    if raters < 2 or any(sum(row) != raters for row in counts):
        raise ValueError("every subject needs the same number (at least two) of ratings")
    return raters


def _p_bar_and_p_e(counts: Sequence[Sequence[int]]) -> tuple[float, float]:
    raters = _check_counts(counts)
    subjects = len(counts)
    p_j = [sum(row[j] for row in counts) / (subjects * raters) for j in range(len(counts[0]))]
    p_i = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts]
    return sum(p_i) / subjects, sum(p * p for p in p_j)


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa: counts[i][j] raters put subject i in category j (same number of raters each)."""
    p_bar, p_e = _p_bar_and_p_e(counts)
    if p_e == 1:
        return None
    return (p_bar - p_e) / (1 - p_e)


@dataclass(frozen=True)
class Kappa:
    value: float | None
    standard_error: float | None
    low: float | None  # the 95% interval
    high: float | None


def fleiss_with_interval(counts: Sequence[Sequence[int]]) -> Kappa:
    """Fleiss' kappa, its large-sample standard error and 95% interval."""
    p_bar, p_e = _p_bar_and_p_e(counts)
    if p_e == 1:
        return Kappa(None, None, None, None)
    value = (p_bar - p_e) / (1 - p_e)
    se = math.sqrt(p_bar * (1 - p_bar) / (len(counts) * (1 - p_e) ** 2))
    return Kappa(value, se, value - Z95 * se, value + Z95 * se)


def percent_agreement(counts: Sequence[Sequence[int]]) -> float:
    """Mean share of agreeing rater pairs per subject (Fleiss' P-bar)."""
    raters = sum(counts[0])
    return sum((sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts) / len(counts)


@dataclass(frozen=True)
class LookForAgreement:
    code: str
    items: int
    percent_agreement: float
    kappa: float | None  # None: everyone always agreed by chance alone (e.g. nobody ever saw it)
    method: str
    standard_error: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    cohen_kappa: float | None = None  # with exactly two observers, for comparison


def _items(codings: Codings) -> list[str]:
    observers = list(codings)
    items = sorted(codings[observers[0]])
    if any(sorted(codings[o]) != items for o in observers):
        raise ValueError("every observer must code the same items")
    return items


def look_for_agreement(codings: Codings, codes: Sequence[str]) -> list[LookForAgreement]:
    observers = sorted(codings)
    if len(observers) < 2:
        raise ValueError("calibration needs at least two observers")
    items = _items(codings)
    out = []
    for code in codes:
        shown = [[code in codings[o][item] for o in observers] for item in items]
        counts = [[sum(row), len(row) - sum(row)] for row in shown]
        kappa = fleiss_with_interval(counts)
        cohen = cohen_kappa([r[0] for r in shown], [r[1] for r in shown]) if len(observers) == 2 else None
        out.append(LookForAgreement(code, len(items), percent_agreement(counts), kappa.value, "fleiss",
                                    kappa.standard_error, kappa.low, kappa.high, cohen))
    return out


def observer_agreement(codings: Codings, codes: Sequence[str]) -> dict[str, float | None]:
    """Per observer: Cohen's kappa of their item x look-for decisions against the others' consensus.

    The consensus of a decision is the others' majority; where the others split evenly there is no
    consensus and the decision is left out. None: no decision left, or chance agreement is total.
    """
    observers = sorted(codings)
    items = _items(codings)
    out: dict[str, float | None] = {}
    for me in observers:
        others = [o for o in observers if o != me]
        mine: list[bool] = []
        consensus: list[bool] = []
        for item in items:
            for code in codes:
                yes = sum(code in codings[o][item] for o in others)
                if yes * 2 == len(others):
                    continue
                mine.append(code in codings[me][item])
                consensus.append(yes * 2 > len(others))
        out[me] = cohen_kappa(mine, consensus) if mine else None
    return out
