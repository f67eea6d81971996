"""T1 and T2: strategy's run-chart rules.

T1: one school's trajectory with every rule over 10 years of monthly data (120 points), read through
the gateway (target <= 20 ms): `GET /schools/{id}/trajectory` computes, for its performance and quality
series, every rule (Anhøj runs and crossings, IHI shift and trend, XmR limits, in `rules`) and every
detector (implementation dip, plateau, see-saw, lag, improvement stage); the bench checks the answer holds
them all. T2: the rules (Anhøj, IHI shift and trend, XmR limits) over 10,000
schools x 60 periods, in process (target <= 2 s).

    .venv/bin/python -c "from bench.strategy_rules import run; print(run())"         # T2 only
    run(platform=p, headers={"Authorization": "Bearer ..."}, tenant="bench")          # T1 and T2
"""

from __future__ import annotations

import math
import random
import statistics
import time
from typing import Any

import httpx
import numpy as np

from services.strategy.trajectories import batch, detectors, rules

SCHOOLS, PERIODS = 10_000, 60
T1_TARGET_MS, T2_TARGET_S = 20.0, 2.0


def _series(rng: random.Random, n: int) -> list[float | None]:
    level = rng.uniform(40, 60)
    return [None if rng.random() < 0.02 else round(level + (5 if i > n // 2 else 0) + rng.gauss(0, 2), 2)
            for i in range(n)]


def t2(schools: int = SCHOOLS, periods: int = PERIODS) -> dict[str, Any]:
    """Every rule for every school, vectorised across schools (`batch.analyse_many`)."""
    rng = random.Random(13)
    matrix = np.array([[math.nan if v is None else v for v in _series(rng, periods)] for _ in range(schools)])
    t0 = time.perf_counter()
    result = batch.analyse_many(matrix)
    seconds = time.perf_counter() - t0
    t1_ = time.perf_counter()
    sample = [rules.analyse(list(row)) for row in matrix[:1000]]
    per_series_s = (time.perf_counter() - t1_) * schools / len(sample)
    return {"scenario": "T2 run-chart rules, 10,000 schools x 60 periods", "value": round(seconds, 3), "unit": "s",
            "target": f"<= {T2_TARGET_S} s", "ok": seconds <= T2_TARGET_S,
            "detail": {"schools": schools, "periods": periods,
                       "schools_with_a_runs_signal": int(result.runs_signal.sum()),
                       "one_series_at_a_time_estimate_s": round(per_series_s, 2)}}


def t1_in_process(points: int = 120) -> float:
    """What T1 costs without the network: every rule on both series and every detector, as the trajectory
    computes them, on 120 monthly points (ms)."""
    rng = random.Random(1)
    perf, qual = _series(rng, points), _series(rng, points)
    rules.analyse(perf)  # warm: the critical values are cached after the first series
    t0 = time.perf_counter()
    for values in (perf, qual):
        rules.analyse(values, freeze=8)
    detectors.implementation_dip(perf, 36)
    detectors.plateau(perf, baseline=8, periods=6)
    detectors.see_saw(qual, perf, baseline=8)
    detectors.improvement_stage(perf, qual, baseline=8, initiative_start=36, plateau_periods=6)
    detectors.quality_to_performance_lag(qual, perf, max_lag=6)
    return (time.perf_counter() - t0) * 1000


def rules_held(trajectory: dict[str, Any]) -> list[str]:
    """What a trajectory answer lacks of "all rules": each series' Anhøj figures and XmR limits, the IHI and
    XmR signals that fired, and every detector."""
    lacking = [k for k in ("implementation_dip", "plateau", "see_saw", "lag", "stage") if k not in trajectory]
    for name in ("performance", "quality"):
        view = trajectory.get("rules", {}).get(name)
        if view is None or not view["phases"] or view["phases"][0]["anhoej"] is None:
            lacking.append(f"rules.{name}.anhoej")
        elif view["phases"][0]["limits"] is None:
            lacking.append(f"rules.{name}.limits")
    return lacking


def _timed(c: httpx.Client, url: str, reads: int) -> list[float]:
    for _ in range(20):
        c.get(url).raise_for_status()
    times = []
    for _ in range(reads):
        t0 = time.perf_counter()
        c.get(url).raise_for_status()
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)


def t1(platform: Any, headers: dict[str, str], reads: int = 200) -> dict[str, Any]:
    """Through the gateway: a school registered in hr, 120 months loaded in bulk, the trajectory read."""
    api = f"{platform.gateway_url}/api/v1"
    rng = random.Random(7)
    months = [f"{2016 + m // 12}-{m % 12 + 1:02d}" for m in range(120)]
    with httpx.Client(headers=headers, timeout=30) as c:
        school = c.post(f"{api}/hr/schools", json={"name": "Trajectory School"}).json()["id"]
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and c.get(f"{api}/strategy/directory/schools/{school}").status_code != 200:
            time.sleep(0.05)
        items = []
        for measure in ("math", "practice-quality"):
            items += [{"external_id": f"{measure}-{p}", "school_id": school, "measure": measure, "period": p,
                       "value": v if v is not None else 50.0} for p, v in zip(months, _series(rng, 120), strict=True)]
        c.post(f"{api}/strategy/measurements/bulk", json={"items": items}).raise_for_status()
        url = f"{api}/strategy/schools/{school}/trajectory?performance=math&max_lag=6"
        first = c.get(url)
        first.raise_for_status()
        answer = first.json()
        lacking = rules_held(answer)
        fired = sorted({s["rule"].split("-")[0] if s["rule"].startswith("anhoej") else s["rule"]
                        for view in answer["rules"].values() for s in view["signals"]})
        times = _timed(c, url, reads)
        # the floor on this machine: the cheapest read strategy answers, through the same gateway
        floor = _timed(c, f"{api}/strategy/directory/schools/{school}", reads)
    p50 = statistics.median(times)
    p99 = times[max(0, math.ceil(len(times) * 0.99) - 1)]
    return {"scenario": "T1 a school's trajectory, all rules, 120 monthly points, through the gateway",
            "value": round(p50, 2), "unit": "ms p50", "target": f"<= {T1_TARGET_MS} ms",
            "ok": p50 <= T1_TARGET_MS and not lacking,
            "detail": {"p99_ms": round(p99, 2), "reads": reads, "in_process_ms": round(t1_in_process(), 2),
                       "lacking": lacking, "signals_fired": fired, "points": len(answer["periods"]),
                       "gateway_floor_p50_ms": round(statistics.median(floor), 2)}}


def run(platform: Any | None = None, headers: dict[str, str] | None = None, tenant: str | None = None
        ) -> list[dict[str, Any]]:
    """T2 always; T1 too when given a running platform and a token's headers (scopes hr and strategy)."""
    out = [t2()]
    if platform is not None and headers is not None:
        out.insert(0, t1(platform, headers))
    return out
