"""Calibration: several observers code the same classroom segments; how far do they agree?

Each observer marks, for each item (a segment or a piece of evidence), which look-fors it shows. Per
look-for the items are the subjects and "shows it / does not" the categories: percent agreement, and
chance-corrected agreement (Cohen's kappa for two observers, Fleiss' kappa for more). Per observer: the
share of their decisions that agree with the other observers' majority. Pure functions.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

Codings = Mapping[str, Mapping[str, frozenset[str] | set[str]]]  # observer -> item -> look-for codes shown


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


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa: counts[i][j] raters put subject i in category j (same number of raters each)."""
    if not counts:
        raise ValueError("no subjects")
    raters = sum(counts[0])
    if raters < 2 or any(sum(row) != raters for row in counts):
        raise ValueError("every subject needs the same number (at least two) of ratings")
    subjects = len(counts)
    p_j = [sum(row[j] for row in counts) / (subjects * raters) for j in range(len(counts[0]))]
    p_i = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts]
    p_bar = sum(p_i) / subjects
    p_e = sum(p * p for p in p_j)
    if p_e == 1:
        return None
    return (p_bar - p_e) / (1 - p_e)


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
        if len(observers) == 2:
            kappa, method = cohen_kappa([r[0] for r in shown], [r[1] for r in shown]), "cohen"
        else:
            kappa, method = fleiss_kappa(counts), "fleiss"
        out.append(LookForAgreement(code, len(items), percent_agreement(counts), kappa, method))
    return out


def observer_agreement(codings: Codings, codes: Sequence[str]) -> dict[str, float]:
    """Per observer: the share of item x look-for decisions that match the others' majority (ties agree)."""
    observers = sorted(codings)
    items = _items(codings)
    out = {}
    for me in observers:
        others = [o for o in observers if o != me]
        agree = total = 0
        for item in items:
            for code in codes:
                mine = code in codings[me][item]
                yes = sum(code in codings[o][item] for o in others)
                majority = {True} if yes * 2 > len(others) else {False} if yes * 2 < len(others) else {True, False}
                agree += mine in majority
                total += 1
        out[me] = agree / total
    return out
