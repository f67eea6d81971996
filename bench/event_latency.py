"""E1: event latency, commit in hr -> side effect in another service's replica, at a fixed rate.

Starts the platform as `make up` does (on the embedded bus, or on a real Kafka broker with --bus kafka),
commits educator events into hr's outbox at --rate per second for --seconds, and reads latency from
the databases: outbox.created_at (hr) to educator_directory.replicated_at (networks), one server clock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from improvenet.launcher import LaunchConfig, Platform
from improvenet.registry import SERVICE_NAMES as SERVICES
from libs.common.db import create_engine, session_factory, unit_of_work
from libs.common.outbox import RelayWaker, record_events
from libs.common.settings import asyncpg_dsn, database_url_for
from libs.common.testing.kafka_broker import KafkaBroker, free_port
from libs.contracts.hr import CareerStage, EducatorRegistered


async def produce(hr_url: str, rate: int, seconds: float, tenant: str) -> list[uuid.UUID]:
    engine = create_engine(hr_url)
    sessions = session_factory(engine)
    waker = RelayWaker(engine)  # as every service process does
    waker.start()
    ids: list[uuid.UUID] = []
    interval = 1.0 / rate
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < seconds:
        target = start + n * interval
        await asyncio.sleep(max(0.0, target - time.monotonic()))
        educator = uuid.uuid4()
        async with unit_of_work(sessions) as session:
            await record_events(session, [EducatorRegistered(educator_id=educator, school_id=None,
                                                             career_stage=CareerStage.novice_teacher, version=1)],
                                service="hr", tenant_id=tenant)
        ids.append(educator)
        n += 1
    await waker.stop()
    await engine.dispose()
    return ids


async def latencies(server: str, ids: list[uuid.UUID], timeout: float = 60) -> list[float]:
    hr = await asyncpg.connect(asyncpg_dsn(database_url_for(server, "improvenet_hr")))
    net = await asyncpg.connect(asyncpg_dsn(database_url_for(server, "improvenet_networks")))
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = await net.fetchval("SELECT count(*) FROM educator_directory WHERE educator_id = ANY($1)", ids)
            if done >= len(ids):
                break
            await asyncio.sleep(0.2)
        created = dict(await hr.fetch("SELECT (payload->>'educator_id')::uuid, created_at FROM outbox "
                                      "WHERE (payload->>'educator_id')::uuid = ANY($1)", ids))
        applied = dict(await net.fetch("SELECT educator_id, replicated_at FROM educator_directory "
                                       "WHERE educator_id = ANY($1)", ids))
        return [(applied[i] - created[i]).total_seconds() * 1000 for i in ids if i in applied]
    finally:
        await hr.close()
        await net.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(bus: str, rate: int, seconds: float) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="improvenet-e1-"))
    broker = None
    extra = {"LOG_LEVEL": "WARNING"}
    if bus == "kafka":
        broker = KafkaBroker(work / "kafka")
        broker.start()
    config = LaunchConfig(state_dir=work / "state", bus=bus, ports={n: free_port() for n in ("gateway", *SERVICES)},
                          kafka_bootstrap_servers=broker.bootstrap_servers if broker else "", extra_env=extra)
    platform = Platform(config)
    try:
        platform.prepare()
        platform.start()
        platform.wait_ready(90)
        server = platform.server_url
        hr_url = database_url_for(server, "improvenet_hr")
        asyncio.run(produce(hr_url, rate, 2, "warmup"))  # connections, topics and groups settle first
        ids = asyncio.run(produce(hr_url, rate, seconds, "e1"))
        ms = asyncio.run(latencies(server, ids))
    finally:
        platform.stop()
        if broker:
            broker.stop()
    return {"scenario": "E1 event latency", "bus": bus, "rate_per_s": rate, "seconds": seconds,
            "events": len(ids), "delivered": len(ms), "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1), "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(max(ms), 1), "mean_ms": round(statistics.fmean(ms), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bus", choices=["postgres", "kafka"], default="postgres")
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result = run(args.bus, args.rate, args.seconds)
    print(json.dumps(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
