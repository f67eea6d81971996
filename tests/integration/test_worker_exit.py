"""A worker never hangs half-alive: if its relay or a consumer task ends on its own, the process exits
with status 1 (so its supervisor restarts it); while it runs, its listener answers /metrics and /readyz."""

from __future__ import annotations

import asyncio
import json
import signal
import uuid

import httpx
import pytest

from libs.common import worker as worker_module
from libs.common.db import ensure_database
from libs.common.outbox import Relay
from libs.common.settings import ServiceSettings, database_url_for
from libs.common.testing.kafka_broker import free_port
from tests.conftest import new_database


@pytest.fixture
async def settings(pg_server: str) -> ServiceSettings:
    url = await new_database(pg_server, "wrk", service="hr")
    bus = f"bus_{uuid.uuid4().hex[:10]}"
    await ensure_database(pg_server, bus)
    return ServiceSettings(service="hr", database_url=pg_server, own_database_url=url, bus="postgres",
                           bus_database_url=database_url_for(pg_server, bus), log_json=False)


def test_a_relay_that_dies_makes_the_worker_exit_with_status_1(settings: ServiceSettings,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(self: Relay, stop: asyncio.Event) -> None:
        raise RuntimeError("a bug nobody caught")

    monkeypatch.setattr(Relay, "run", broken)
    with pytest.raises(SystemExit) as exited:
        worker_module.main(settings, [])
    assert exited.value.code == 1


async def test_a_running_worker_answers_metrics_and_readiness_then_stops_cleanly(
        settings: ServiceSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("METRICS_PORT", str(port))
    monkeypatch.setenv("IMPROVENET_INSTANCE_ID", "inst-7")
    sigint_before = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(worker_module, "REFRESH_SECONDS", 0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(worker_module.run_worker(settings, [], stop))
    ready = None
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(100):  # bounded: 20 s
            try:
                r = await client.get(f"http://127.0.0.1:{port}/readyz")
                if r.status_code == 200:
                    ready = r
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
        assert ready is not None, "the worker never became ready"
        body = json.loads(ready.text)
        assert body["instance"] == "inst-7" and ready.headers["x-improvenet-instance"] == "inst-7"
        assert set(body["checks"]) == {"bus", "tasks", "consumers", "database"}
        metrics = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        assert 'improvenet_outbox_backlog{' in metrics and 'service="hr"' in metrics
        assert (await client.get(f"http://127.0.0.1:{port}/nothing")).status_code == 404
    assert signal.getsignal(signal.SIGINT) is not sigint_before  # the worker took Ctrl-C while it ran...
    stop.set()
    await asyncio.wait_for(task, 20)  # a requested stop is not a failure: no WorkerFailed
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # ...and gave it back
