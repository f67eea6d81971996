"""Series per school and measure, the chart-ready analysis, signals announced once, the stage."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.outbox import record_events
from libs.contracts.strategy import TrajectorySignalDetected
from services.strategy.models import Allocation, CycleMark, Initiative
from services.strategy.settings import SERVICE
from services.strategy.trajectories import calendar, detectors, rules
from services.strategy.trajectories.rules import Value

SERIES_SQL = text("SELECT period, value FROM measurements WHERE tenant_id = :t AND school_id = :s "
                  "AND measure = :m ORDER BY period")
CLAIM_SIGNAL = text("INSERT INTO signals_seen (tenant_id, school_id, measure, rule, direction, onset_period) "
                    "VALUES (:t, :s, :m, :r, :d, :p) ON CONFLICT DO NOTHING RETURNING rule")


async def series(session: AsyncSession, tenant: str, school: uuid.UUID, measure: str) -> tuple[list[str], list[Value]]:
    """A school's values of a measure in period order, a blank (None) for each period missing between the
    first and the last (calendar.with_blanks)."""
    rows = (await session.execute(SERIES_SQL, {"t": tenant, "s": school, "m": measure})).tuples().all()
    return calendar.with_blanks([r[0] for r in rows], [float(r[1]) for r in rows])


def align(a: tuple[list[str], list[Value]], b: tuple[list[str], list[Value]]) -> tuple[list[str], list[Value],
                                                                                       list[Value]]:
    """Two series on the union of their periods, blanks where one has no value."""
    periods = sorted(set(a[0]) | set(b[0]))
    da, db = dict(zip(*a, strict=True)), dict(zip(*b, strict=True))
    return periods, [da.get(p) for p in periods], [db.get(p) for p in periods]


def signal_view(s: rules.Signal, periods: Sequence[str]) -> dict[str, Any]:
    return {"rule": s.rule, "direction": s.direction, "threshold": s.threshold, "observed": s.observed,
            "phase": s.phase, "points": list(s.indices), "periods": [periods[i] for i in s.indices]}


def chart(periods: Sequence[str], values: Sequence[Value], analysis: rules.Analysis) -> dict[str, Any]:
    """Everything a client needs to draw run and individuals charts without recomputing."""
    return {"points": chart_points(periods, values, analysis), **rules_view(periods, analysis)}


def chart_points(periods: Sequence[str], values: Sequence[Value], analysis: rules.Analysis) -> list[dict[str, Any]]:
    points = []
    for ph in analysis.phases:
        lim = ph.limits
        for i in range(ph.phase.start, ph.phase.end):
            points.append({"period": periods[i], "value": values[i], "phase": analysis.phases.index(ph),
                           "median": ph.median, "centre": lim.centre if lim else None,
                           "lower": lim.lower if lim else None, "upper": lim.upper if lim else None,
                           "baseline": i < ph.phase.baseline_end})
    return points


def rules_view(periods: Sequence[str], analysis: rules.Analysis) -> dict[str, Any]:
    """Every rule's figures per phase (median, XmR limits, Anhøj runs and crossings) and every signal."""
    phases = []
    for ph in analysis.phases:
        a = ph.anhoej
        phases.append({
            "start_period": periods[ph.phase.start] if periods else None,
            "end_period": periods[ph.phase.end - 1] if periods else None,
            "baseline_points": ph.phase.baseline_end - ph.phase.start, "median": ph.median,
            "limits": None if ph.limits is None else {"centre": ph.limits.centre, "lower": ph.limits.lower,
                                                      "upper": ph.limits.upper,
                                                      "mean_moving_range": ph.limits.mean_moving_range},
            "anhoej": None if a is None else {"useful_points": a.useful, "longest_run": a.longest_run,
                                              "longest_run_max": a.longest_run_max, "crossings": a.crossings,
                                              "crossings_min": a.crossings_min, "signal": a.runs_signal},
        })
    return {"phases": phases, "freeze_ignored": analysis.freeze_ignored,
            "signals": [signal_view(s, periods) for s in analysis.signals]}


async def marks(session: AsyncSession, tenant: str, school: uuid.UUID) -> list[dict[str, Any]]:
    """Improvement cycles (networks) and initiative starts, to annotate a chart."""
    c = CycleMark.__table__.c  # type: ignore[attr-defined]
    cycles = (await session.execute(select(c.cycle_id, c.studied_on, c.decision).where(
        c.tenant_id == tenant, c.school_id == school).order_by(c.studied_on))).all()
    starts = await initiative_starts(session, tenant, school)
    return ([{"kind": "cycle", "cycle_id": str(r[0]), "on": r[1].isoformat(), "decision": r[2]} for r in cycles]
            + [{"kind": "initiative", "initiative_id": str(i), "period": p} for i, p in starts])


async def initiative_starts(session: AsyncSession, tenant: str, school: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    i, a = Initiative.__table__.c, Allocation.__table__.c  # type: ignore[attr-defined]
    rows = (await session.execute(select(i.id, i.start_period).distinct().join_from(
        Initiative.__table__, Allocation.__table__, a.initiative_id == i.id).where(  # type: ignore[attr-defined]
        i.tenant_id == tenant, a.school_id == school).order_by(i.start_period))).all()
    return [(r[0], r[1]) for r in rows]


async def announce_signals(session: AsyncSession, tenant: str, school: uuid.UUID, measure: str) -> int:
    """Record each directional signal of the series once, with an event the first time."""
    periods, values = await series(session, tenant, school, measure)
    analysis = rules.analyse(values)
    payloads = []
    for s in analysis.signals:
        direction = s.direction or "none"
        claimed = (await session.execute(CLAIM_SIGNAL, {"t": tenant, "s": school, "m": measure, "r": s.rule,
                                                        "d": direction, "p": periods[s.onset]})).first()
        if claimed is not None:
            payloads.append(TrajectorySignalDetected(school_id=school, measure=measure, rule=s.rule,
                                                     direction=direction, onset_period=periods[s.onset]))
    await record_events(session, payloads, service=SERVICE, tenant_id=tenant)
    return len(payloads)


def index_from(periods: Sequence[str], period: str | None) -> int | None:
    if period is None:
        return None
    for n, p in enumerate(periods):
        if p >= period:
            return n
    return None


def lag_view(lag: detectors.Lag) -> dict[str, Any]:
    return {"lag": lag.lag, "correlation": lag.correlation, "pairs": lag.pairs, "warning": lag.warning,
            "by_lag": {str(k): v for k, v in lag.by_lag.items()}}


async def trajectory(session: AsyncSession, tenant: str, school: uuid.UUID, performance: str, quality: str, *,
                     baseline: int | None, plateau_periods: int, max_lag: int, shift: int,
                     trend: int) -> dict[str, Any]:
    """Dip, plateau, see-saw, lag and stage for one school, from its performance and quality series."""
    periods, perf, qual = align(await series(session, tenant, school, performance),
                                await series(session, tenant, school, quality))
    starts = await initiative_starts(session, tenant, school)
    start = index_from(periods, starts[0][1]) if starts else None
    base = baseline or (start if start and start >= 3 else min(8, len(periods)))
    dip = detectors.implementation_dip(perf, start, shift=shift, trend=trend) if start is not None else None
    flat = detectors.plateau(perf, baseline=base, periods=plateau_periods, shift=shift, trend=trend)
    seesaw = detectors.see_saw(qual, perf, baseline=base, shift=shift, trend=trend)
    lag = detectors.quality_to_performance_lag(qual, perf, max_lag=max_lag)
    charts = {name: {"freeze": base, **rules_view(periods, rules.analyse(values, freeze=base, shift=shift,
                                                                          trend=trend))}
              for name, values in (("performance", perf), ("quality", qual))}
    stage = detectors.improvement_stage(perf, qual, baseline=base, initiative_start=start,
                                        plateau_periods=plateau_periods, shift=shift, trend=trend)

    def sig(s: rules.Signal | None) -> dict[str, Any] | None:
        return None if s is None else signal_view(s, periods)

    def at(i: int | None) -> str | None:
        return None if i is None else periods[i]

    return {
        "school_id": school, "performance_measure": performance, "quality_measure": quality,
        "periods": periods, "baseline_points": base, "initiative_start_period": at(start),
        "implementation_dip": None if dip is None else {
            "status": dip.status, "signal": sig(dip.signal), "bottom_period": at(dip.bottom),
            "recovered_period": at(dip.recovered_at), "baseline_median": dip.baseline_median},
        "plateau": {"detected": flat.detected, "gain": sig(flat.gain), "periods_since_gain": flat.periods_since_gain,
                    "threshold": flat.threshold},
        "see_saw": {"detected": seesaw.detected, "quality_signal": sig(seesaw.quality_signal),
                    "performance_signal": sig(seesaw.performance_signal), "lag": seesaw.lag},
        "lag": lag_view(lag),
        # Anhøj, IHI shift and trend, XmR: both series with the baseline frozen on the first points
        "rules": charts,
        "stage": {"stage": stage.stage, "reasons": stage.reasons, "signals": [signal_view(s, periods)
                                                                             for s in stage.signals]},
    }
