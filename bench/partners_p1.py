"""P1: partner delivery. Webhook latency, commit -> receiver, at a fixed rate; and feed throughput.

Composes, in one process on a fresh embedded PostgreSQL, what the platform runs: a producing service
database (hr's schema, its outbox and relay), the embedded bus, the gateway's partner consumer group
and webhook dispatcher, and the gateway app (its own factory, partners router included) for the feed.
The receiver is a separate process on 127.0.0.1 verifying every signature with `standardwebhooks`.
Latency is the receiver's arrival time minus the producer's commit time (one machine clock).

    .venv/bin/python -m bench.partners_p1 [--rate 200] [--seconds 10] [--feed-events 20000]

or `from bench.partners_p1 import run; run(rate=200, seconds=10)` -> list of figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

P99_TARGET_MS = 500.0
FEED_TARGET = 5000.0  # events/s one reader takes from the feed


def _receiver(port: int, secret: str, ready: Any) -> None:
    """The partner's endpoint: verify, remember the arrival time per webhook-id, serve them at /arrivals."""
    import uvicorn
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    hook = Webhook(secret)
    arrivals: dict[str, float] = {}
    rejected = [0]

    async def receive(request: Request) -> Response:
        body = await request.body()
        try:
            hook.verify(body, dict(request.headers))
        except WebhookVerificationError:
            rejected[0] += 1
            return Response(status_code=401)
        arrivals.setdefault(request.headers["webhook-id"], time.time())
        return Response(status_code=204)

    async def report(request: Request) -> JSONResponse:
        return JSONResponse({"arrivals": arrivals, "rejected": rejected[0]})

    app = Starlette(routes=[Route("/hook", receive, methods=["POST"]), Route("/arrivals", report)])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    ready.set()
    server.run()


def _producer(hr_url: str, bus_url: str, rate: int, seconds: float, report: Any) -> None:
    """The producing service: commit events at `rate`/s with the outbox, its relay publishing them."""
    asyncio.run(_produce(hr_url, bus_url, rate, seconds, report))


async def _produce(hr_url: str, bus_url: str, rate: int, seconds: float, report: Any) -> None:
    from sqlalchemy import text

    from libs.common.db import create_engine, session_factory, unit_of_work
    from libs.common.outbox import Relay, RelayWaker, record_events
    from libs.common.postgres_bus import PostgresBus
    from libs.common.settings import asyncpg_dsn
    from libs.contracts.hr import CareerStage, EducatorRegistered

    bus, engine, stop = PostgresBus(bus_url), create_engine(hr_url), asyncio.Event()
    relay = Relay(engine, bus, service="hr", listen_dsn=asyncpg_dsn(hr_url))
    relay_task = asyncio.create_task(relay.run(stop))
    sessions = session_factory(engine)
    waker = RelayWaker(engine)
    waker.start()
    committed: dict[str, float] = {}
    start, n = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        async with unit_of_work(sessions) as session:
            (event,) = await record_events(session, [EducatorRegistered(
                educator_id=uuid.uuid4(), school_id=None, career_stage=CareerStage.novice_teacher,
                version=1)], service="hr", tenant_id="bench")
        committed[str(event.id)] = time.time()
        n += 1
    achieved = n / (time.monotonic() - start)
    await waker.stop()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the relay has published everything
        async with engine.connect() as conn:
            if not (await conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))).scalar():
                break
        await asyncio.sleep(0.1)
    stop.set()
    await relay_task
    await bus.close()
    await engine.dispose()
    report.send((committed, achieved))


async def _stages(hr_url: str, gw_url: str, committed: dict[str, float], arrivals: dict[str, float]
                  ) -> dict[str, float]:
    """Where the time goes (median per stage): commit -> published by the relay -> stored by the partner
    consumer -> marked delivered by the dispatcher -> receiver. Database times are transaction start
    times (`now()`), so a stage that waited for a lock or a batch shows in the one after it."""
    import asyncpg

    from libs.common.settings import asyncpg_dsn

    hr, gw = await asyncpg.connect(asyncpg_dsn(hr_url)), await asyncpg.connect(asyncpg_dsn(gw_url))
    try:
        published = await hr.fetch("SELECT id, created_at, published_at FROM outbox WHERE published_at IS NOT NULL")
        out = {str(r["id"]): (r["created_at"].timestamp(), r["published_at"].timestamp()) for r in published}
        got = {str(r["event_id"]): (r["received_at"].timestamp(), r["delivered_at"].timestamp())
               for r in await gw.fetch("SELECT e.event_id, e.received_at, d.delivered_at FROM partner_events e "
                                       "JOIN partner_deliveries d ON d.event_seq = e.seq "
                                       "WHERE d.delivered_at IS NOT NULL")}
    finally:
        await hr.close()
        await gw.close()
    both = [i for i in committed if i in out and i in got and i in arrivals]
    if not both:
        return {}

    def med(values: list[float]) -> float:
        return round(statistics.median(values) * 1000, 1)

    return {"commit_to_published": med([out[i][1] - out[i][0] for i in both]),
            "published_to_stored": med([got[i][0] - out[i][1] for i in both]),
            "stored_to_delivered": med([got[i][1] - got[i][0] for i in both]),
            "delivered_mark_to_receiver": med([arrivals[i] - got[i][1] for i in both])}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _run(work: Path, rate: int, seconds: float, feed_events: int) -> list[dict[str, Any]]:
    from gateway.partners import PARTNERS_CONSUMER, PartnerSettings, WebhookDispatcher, partners_router
    from improvenet.components import create_app, settings_for
    from improvenet.registry import SCOPE_TEXT, component
    from libs.common.db import create_engine, ensure_database, session_factory
    from libs.common.embedded_pg import EmbeddedPostgres
    from libs.common.inbox import ConsumerRunner
    from libs.common.keys import ensure_signing_keys, mint_token
    from libs.common.migrations import upgrade
    from libs.common.postgres_bus import PostgresBus
    from libs.common.settings import database_url_for
    from libs.common.testing.kafka_broker import free_port

    pg = EmbeddedPostgres(work / "pg", settings={"fsync": "off", "synchronous_commit": "off"})
    server = pg.start()
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    receiver: Any = None  # a spawned process
    try:
        urls = {}
        for name in ("p1_hr", "p1_gateway", "p1_bus"):
            await ensure_database(server, name)
            urls[name] = database_url_for(server, name)
        await asyncio.to_thread(upgrade, component("hr").migrations, urls["p1_hr"])
        await asyncio.to_thread(upgrade, component("gateway").migrations, urls["p1_gateway"], "heads")
        keys = ensure_signing_keys(work / "state")
        settings = PartnerSettings(allow_insecure_urls=True, request_timeout_seconds=5)
        app = create_app("gateway", settings_for(
            "gateway", database_url=server, own_database_url=urls["p1_gateway"],
            jwt_public_key_file=keys / "public.pem", state_dir=work / "state", log_json=False,
            rate_limit_per_second=1e6, rate_limit_burst=1_000_000,
            scopes={**SCOPE_TEXT, "events:read": "partner apps"}))
        before = len(app.router.routes)
        app.include_router(partners_router(settings))  # ahead of the proxy's catch-all, as the wiring does
        added = app.router.routes[before:]
        del app.router.routes[before:]
        app.router.routes[:0] = added
        private = (keys / "private.pem").read_bytes()
        admin = {"Authorization": "Bearer " + mint_token(private, tenant="bench", issuer="improvenet",
                                                        audience="improvenet", scopes=["admin"])}
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://gw", timeout=60) as gw:
            client = (await gw.post("/api/v1/admin/clients", json={"name": "vendor", "scopes": ["events:read"]},
                                    headers=admin)).json()
            token = (await gw.post("/oauth/token", data={"grant_type": "client_credentials"},
                                   auth=(client["client_id"], client["client_secret"]))).json()["access_token"]
            partner = {"Authorization": f"Bearer {token}"}
            port = free_port()
            sub = (await gw.post("/api/v1/partners/subscriptions", headers=admin, json={
                "name": "bench", "client_id": client["client_id"], "types": ["*"],
                "url": f"http://127.0.0.1:{port}/hook"})).json()
            await gw.post("/api/v1/partners/subscriptions", headers=admin, json={
                "name": "bench feed", "client_id": client["client_id"], "types": ["*"], "mode": "feed"})
            ready = multiprocessing.get_context("spawn").Event()
            receiver = multiprocessing.get_context("spawn").Process(
                target=_receiver, args=(port, sub["secret"], ready), daemon=True)
            receiver.start()
            ready.wait(20)

            bus = PostgresBus(urls["p1_bus"])
            gw_engine = create_engine(urls["p1_gateway"], pool_size=10)
            consumer = ConsumerRunner(bus, session_factory(gw_engine), PARTNERS_CONSUMER)
            dispatcher = WebhookDispatcher(gw_engine, settings)
            tasks = [asyncio.create_task(c) for c in (consumer.run(stop), dispatcher.run(stop))]
            async with httpx.AsyncClient(timeout=5) as probe:  # the receiver is up
                for _ in range(100):
                    try:
                        await probe.get(f"http://127.0.0.1:{port}/arrivals")
                        break
                    except httpx.HTTPError:
                        await asyncio.sleep(0.1)

            # --- webhooks: a producing service commits at `rate` per second, one event per transaction.
            # It is a process of its own (with its relay), as hr's API and worker are on the platform:
            # in this process it would share one event loop with the gateway worker and measure neither.
            parent, child = multiprocessing.get_context("spawn").Pipe()
            producer = multiprocessing.get_context("spawn").Process(
                target=_producer, args=(urls["p1_hr"], urls["p1_bus"], rate, seconds, child), daemon=True)
            producer.start()
            if not await asyncio.to_thread(parent.poll, seconds + 120):
                raise RuntimeError("the producing process did not report")
            committed, achieved = parent.recv()
            n = len(committed)
            producer.join(10)
            arrivals: dict[str, float] = {}
            rejected = 0
            async with httpx.AsyncClient(timeout=10) as probe:
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    report = (await probe.get(f"http://127.0.0.1:{port}/arrivals")).json()
                    arrivals, rejected = report["arrivals"], report["rejected"]
                    if set(committed) <= set(arrivals):
                        break
                    await asyncio.sleep(0.2)
            latencies = [(arrivals[i] - t) * 1000 for i, t in committed.items() if i in arrivals]
            stages = await _stages(urls["p1_hr"], urls["p1_gateway"], committed, arrivals)

            # --- the feed: bulk events in the store, read by one partner ----------------------
            async with gw_engine.begin() as conn:
                from sqlalchemy import text

                await conn.execute(text(
                    "INSERT INTO partner_events (event_id, tenant_id, type, aggregate, time, cloudevent) "
                    "SELECT gen_random_uuid(), 'bench', 'org.improvenet.hr.educator.registered', g::text, now(), "
                    "jsonb_build_object('specversion', '1.0', 'id', gen_random_uuid(), 'type', "
                    "'org.improvenet.hr.educator.registered', 'source', '/improvenet/hr', 'subject', g::text, "
                    "'data', jsonb_build_object('educator_id', gen_random_uuid(), 'school_id', null, "
                    "'career_stage', 'novice_teacher', 'version', 1)) "
                    "FROM generate_series(1, :n) g"), {"n": feed_events})
            total_in_store = n + feed_events
            read, cursor = 0, "0"
            t0 = time.monotonic()
            while read < total_in_store and time.monotonic() - t0 < 30:
                page = (await gw.get("/api/v1/events", params={"after": cursor, "limit": 1000, "wait": 0},
                                     headers=partner)).json()
                if not page["items"]:
                    break
                read += len(page["items"])
                cursor = page["next_cursor"]
            feed_rate = read / (time.monotonic() - t0)
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await bus.close()
            await gw_engine.dispose()

        delivered = len(latencies)
        p50 = statistics.median(latencies) if latencies else float("nan")
        p99 = percentile(latencies, 99) if latencies else float("nan")
        detail = {"events": n, "delivered": delivered, "rejected_signatures": rejected,
                  "rate_per_s": round(achieved, 1),
                  "p50_ms": round(p50, 1), "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
                  "p99_ms": round(p99, 1), "max_ms": round(max(latencies), 1) if latencies else None,
                  "stages_p50_ms": stages,
                  "bus": "postgres (embedded)", "receiver": "separate process, standardwebhooks verification",
                  "processes": "producer + relay | gateway partner consumer + dispatcher | receiver"}
        return [
            {"scenario": f"P1 webhook latency commit -> receiver, {rate} events/s for {seconds:g} s",
             "value": round(p99, 1), "unit": "ms p99", "target": f"p99 <= {P99_TARGET_MS:g} ms, none lost",
             "ok": bool(latencies) and p99 <= P99_TARGET_MS and delivered == n and rejected == 0, "detail": detail},
            {"scenario": "P1 webhook latency (median)", "value": round(p50, 1), "unit": "ms p50", "target": "-",
             "ok": None, "detail": {}},
            {"scenario": f"P1 feed throughput, one reader, pages of 1000 ({total_in_store} events)",
             "value": round(feed_rate), "unit": "events/s", "target": f">= {FEED_TARGET:g} events/s",
             "ok": feed_rate >= FEED_TARGET and read == total_in_store,
             "detail": {"read": read, "in_store": total_in_store, "transport": "in-process ASGI (no socket)"}},
        ]
    finally:
        stop.set()
        for t in tasks:
            t.cancel()
        if receiver is not None:
            receiver.kill()
            receiver.join(5)
        pg.stop()


def run(rate: int = 200, seconds: float = 10.0, feed_events: int = 20000) -> list[dict[str, Any]]:
    """Bounded: about 10 s of load plus setup (well under 60 s on an idle machine)."""
    work = Path(tempfile.mkdtemp(prefix="improvenet-p1-"))
    try:
        return asyncio.run(_run(work, rate, seconds, feed_events))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--feed-events", type=int, default=20000)
    args = parser.parse_args()
    figures = run(args.rate, args.seconds, args.feed_events)
    json.dump(figures, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
