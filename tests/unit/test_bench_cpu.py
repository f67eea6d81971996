"""`make bench`'s CPU accounting: PostgreSQL backends told apart by database, idle cost subtracted."""

from __future__ import annotations

from typing import Any

import pytest

from bench import cpu


@pytest.mark.parametrize(("title", "database"), [
    ("postgres: postgres improvenet_hr [local] idle", "improvenet_hr"),
    ("postgres: app improvenet_bus 127.0.0.1(40112) SELECT", "improvenet_bus"),
    ("postgres: main: app improvenet_gateway [local] COMMIT", "improvenet_gateway"),
    ("postgres: autovacuum launcher ", None),
    ("postgres: checkpointer ", None),
])
def test_a_backend_is_named_by_its_database(title: str, database: str | None) -> None:
    match = cpu._BACKEND.match(title)
    assert (match.group(1) if match else None) == database


def test_per_write_subtracts_the_idle_cost_and_divides_by_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    readings = iter([{"hr": 10.0, "gateway": 5.0}, {"hr": 12.0, "gateway": 5.5}])
    monkeypatch.setattr(cpu, "idle_rate", lambda platform: {"hr": 0.0, "gateway": 0.1})
    monkeypatch.setattr(cpu, "snapshot", lambda platform: next(readings))
    monkeypatch.setattr(cpu, "drained", lambda platform, idle_rate: 0.0)
    clock = iter([100.0, 101.0, 102.0])  # load starts, ends, span measured after draining: 2 s
    monkeypatch.setattr(cpu.time, "monotonic", lambda: next(clock))

    def load() -> dict[str, Any]:
        return {"requests": 1000}

    result = cpu.per_write(None, load, lambda r: int(r["requests"]))  # type: ignore[arg-type]
    # hr: 2 s of CPU over 1000 writes; the gateway: 0.5 s less its idle 0.1 core x 2 s = 0.3 s
    assert result["cpu_ms_by_process"] == {"hr": 2.0, "gateway": 0.3}
    assert result["cpu_ms_per_write"] == 2.3
    assert result["writes"] == 1000
