"""Where the CPU goes: per-process CPU seconds of the platform during a scenario, divided by the writes done.

Read from /proc through psutil: every child the launcher started (APIs and workers) and PostgreSQL, whose
live backends are told apart by database (from their process title) and whose exited backends are
counted from the postmaster's reaped-children times. The load generator is not ours and is not counted.

A scenario is measured from a snapshot before the load to one taken after the fan-out has drained (the
relay and every consumer idle again), so a write's events, their replicas and its audit entry are in
its cost. The platform's idle cost (pollers, heartbeats) over the same span is subtracted, measured on
the same processes just before.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from improvenet.launcher import Platform

Snapshot = dict[str, float]
# "postgres: [<cluster>: ]<user> <database> <host> <activity>", host "[local]" or "<address>(<port>)"
_BACKEND = re.compile(r"^postgres: (?:[^:\s]+: )?\S+ (\S+) (?:\[local\]|\S+\(\d+\)) ")


def _seconds(times: Any, children: bool = False) -> float:
    own = float(times.user + times.system)
    return own + (float(times.children_user + times.children_system) if children else 0.0)


def postmaster_pid(platform: Platform) -> int | None:
    pid_file = platform.state_dir / "pgdata" / "postmaster.pid"
    try:
        return int(Path(pid_file).read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def snapshot(platform: Platform) -> Snapshot:
    """CPU seconds so far of each platform process (name -> seconds)."""
    out: Snapshot = {}
    for child in platform.children:
        if child.process is not None and child.process.poll() is None:
            try:
                out[child.name] = _seconds(psutil.Process(child.process.pid).cpu_times())
            except psutil.NoSuchProcess:
                continue
    pid = postmaster_pid(platform)
    if pid is None:
        return out
    try:
        postmaster = psutil.Process(pid)
        # Backends that exited since the start: their whole CPU time is the postmaster's reaped children's.
        out["postgres"] = _seconds(postmaster.cpu_times(), children=True)
        for backend in postmaster.children():
            try:
                title = " ".join(backend.cmdline())
                match = _BACKEND.match(title)
                name = f"postgres {match.group(1)}" if match else "postgres"
                out[name] = out.get(name, 0.0) + _seconds(backend.cpu_times())
            except psutil.NoSuchProcess:
                continue
    except psutil.NoSuchProcess:
        pass
    return out


def delta(before: Snapshot, after: Snapshot) -> Snapshot:
    return {name: after[name] - before.get(name, 0.0) for name in after}


def drained(platform: Platform, quiet_cores: float = 0.03, window: float = 0.5, timeout: float = 90.0,
            idle_rate: Snapshot | None = None) -> float:
    """Wait until the platform is idle again (all processes together below `quiet_cores` of a core above
    their idle rate for one window); returns the seconds waited."""
    t0 = time.monotonic()
    baseline = sum((idle_rate or {}).values())
    previous = snapshot(platform)
    while time.monotonic() - t0 < timeout:
        time.sleep(window)
        current = snapshot(platform)
        busy = sum(max(v, 0.0) for v in delta(previous, current).values()) / window
        previous = current
        if busy <= baseline + quiet_cores:
            break
    return time.monotonic() - t0


def idle_rate(platform: Platform, seconds: float = 3.0) -> Snapshot:
    """CPU seconds per second each process spends with nothing to do."""
    before = snapshot(platform)
    time.sleep(seconds)
    return {name: max(v, 0.0) / seconds for name, v in delta(before, snapshot(platform)).items()}


def per_write(platform: Platform, load: Callable[[], dict[str, Any]], writes_of: Callable[[dict[str, Any]], int],
              ) -> dict[str, Any]:
    """Run `load`, wait for the fan-out to drain, and return its result with the CPU per write, by process."""
    idle = idle_rate(platform)
    before = snapshot(platform)
    t0 = time.monotonic()
    result = load()
    loaded = time.monotonic() - t0
    waited = drained(platform, idle_rate=idle)
    span = time.monotonic() - t0
    used = delta(before, snapshot(platform))
    writes = max(writes_of(result), 1)
    by_process = {name: max(seconds - idle.get(name, 0.0) * span, 0.0) * 1000 / writes
                  for name, seconds in used.items()}
    by_process = {k: round(v, 3) for k, v in sorted(by_process.items(), key=lambda kv: -kv[1]) if v >= 0.0005}
    return {**result, "writes": writes, "load_s": round(loaded, 2), "drain_s": round(waited, 2),
            "cpu_ms_per_write": round(sum(by_process.values()), 3), "cpu_ms_by_process": by_process}


def breakdown(detail: dict[str, Any], top: int = 6) -> str:
    """'9.6 ms: hr 3.2, gateway 1.4, ...' for the table."""
    parts = [f"{name} {ms:.2f}" for name, ms in list(detail["cpu_ms_by_process"].items())[:top]]
    return f"{detail['cpu_ms_per_write']:.2f} ms CPU/write: " + ", ".join(parts)
