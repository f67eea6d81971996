"""The pipeline's figures from their inputs (pure: every function can be checked by hand).

Definitions (docs/hr.md):
- mentoring coverage: novices with an active mentor / novices (1.0 when there are none);
- bench strength of a post: educators of the post's school, other than its incumbent, whose readiness
  estimate for the post's stage is *ready now* (target: above 1);
- succession risk: the posts whose bench strength is 0;
- yearly exit rate of a stage: moves out of it in the last 365 days (promotion, change or exit) divided by
  those who were in it over the year (still there + moved out);
- vacancy forecast of a stage: the tenant's posts at that stage x its exit rate.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

READY_NOW = "ready_now"


@dataclass(frozen=True)
class Post:
    id: uuid.UUID
    school_id: uuid.UUID
    stage: str
    incumbent_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Candidate:
    educator_id: uuid.UUID
    school_id: uuid.UUID | None
    target_stage: str
    estimate: str


def coverage(novices: int, mentored: int) -> float:
    return 1.0 if novices == 0 else round(mentored / novices, 4)


def coverage_by_school(rows: Iterable[tuple[uuid.UUID | None, int, int]]) -> dict[str, dict[str, float]]:
    """(school, novices, mentored) -> per school {novices, mentored, coverage}, and "all"."""
    out: dict[str, dict[str, float]] = {}
    total_n = total_m = 0
    for school, novices, mentored in rows:
        out[str(school)] = {"novices": novices, "mentored": mentored, "coverage": coverage(novices, mentored)}
        total_n, total_m = total_n + novices, total_m + mentored
    out["all"] = {"novices": total_n, "mentored": total_m, "coverage": coverage(total_n, total_m)}
    return out


def bench_strength(posts: Iterable[Post], candidates: Iterable[Candidate]) -> dict[uuid.UUID, int]:
    """Ready-now successors per post."""
    ready: dict[tuple[uuid.UUID | None, str], set[uuid.UUID]] = {}
    for c in candidates:
        if c.estimate == READY_NOW:
            ready.setdefault((c.school_id, c.target_stage), set()).add(c.educator_id)
    return {p.id: len(ready.get((p.school_id, p.stage), set()) - {p.incumbent_id}) for p in posts}


def succession_risk(posts: Iterable[Post], bench: Mapping[uuid.UUID, int]) -> list[uuid.UUID]:
    return [p.id for p in posts if bench.get(p.id, 0) == 0]


def bench_by_school(posts: Iterable[Post], bench: Mapping[uuid.UUID, int]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for p in posts:
        s = out.setdefault(str(p.school_id), {"posts": 0, "ready_now": 0, "at_risk": 0})
        s["posts"] += 1
        s["ready_now"] += bench.get(p.id, 0)
        s["at_risk"] += bench.get(p.id, 0) == 0
    return out


def exit_rates(moved_out: Mapping[str, int], headcount: Mapping[str, int]) -> dict[str, float]:
    rates = {}
    for stage in set(moved_out) | set(headcount):
        out, now = moved_out.get(stage, 0), headcount.get(stage, 0)
        rates[stage] = round(out / (now + out), 4) if now + out else 0.0
    return rates


def vacancy_forecast(posts: Iterable[Post], rates: Mapping[str, float]) -> dict[str, dict[str, float]]:
    per_stage: dict[str, int] = {}
    for p in posts:
        per_stage[p.stage] = per_stage.get(p.stage, 0) + 1
    return {stage: {"posts": n, "exit_rate": rates.get(stage, 0.0),
                    "expected_vacancies": round(n * rates.get(stage, 0.0), 2)} for stage, n in per_stage.items()}
