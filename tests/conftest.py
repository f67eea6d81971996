"""Shared fixtures: a real PostgreSQL (pgserver) and a real Apache Kafka broker, once per session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from improvenet.components import create_app, settings_for
from improvenet.registry import ALL_SCOPES, component
from libs.common.db import ensure_database
from libs.common.embedded_pg import EmbeddedPostgres
from libs.common.keys import ensure_signing_keys, mint_token
from libs.common.migrations import upgrade
from libs.common.settings import database_url_for
from libs.common.testing.kafka_broker import KafkaBroker

ISSUER = "improvenet"
AUDIENCE = "improvenet"


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a real PostgreSQL server for this test session (durability off: tests need speed)."""
    pg = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data",
                          settings={"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"})
    url = pg.start()
    yield url
    pg.stop()


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """A real single-node KRaft broker. If it cannot start, the tests that use it fail."""
    # It also has a SCRAM-SHA-512 listener (as Strimzi deploys it) for the tests of authenticated clients.
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"), scram_user=("improvenet-test", uuid.uuid4().hex))
    broker.start()
    yield broker
    broker.stop()


async def new_database(server_url: str, prefix: str, *, service: str | None = None) -> str:
    """A fresh database (migrated as component `service`'s when given): tests never share state."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await ensure_database(server_url, name)
    url = database_url_for(server_url, name)
    if service:
        await asyncio.to_thread(upgrade, component(service).migrations, url)
    return url


def build_component(name: str, server_url: str, database_url: str, keys: Path, **settings: object) -> FastAPI:
    """Any component's app from its factory, on its own database, trusting the test issuer's key.

    The one way tests build an app: the same factory the composition root runs in production.
    """
    return create_app(name, settings_for(name, database_url=server_url, own_database_url=database_url,
                                         jwt_public_key_file=keys / "public.pem", log_json=False, **settings))


@pytest.fixture
async def hr_database(pg_server: str) -> AsyncIterator[str]:
    yield await new_database(pg_server, "hr", service="hr")


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_signing_keys(tmp_path_factory.mktemp("state"))


@pytest.fixture(scope="session")
def make_token(keys_dir: Path):  # type: ignore[no-untyped-def]
    private = (keys_dir / "private.pem").read_bytes()

    def make(tenant: str, scopes: list[str] | None = None, **kw: object) -> str:
        return mint_token(private, tenant=tenant, issuer=ISSUER, audience=AUDIENCE,
                          scopes=ALL_SCOPES if scopes is None else scopes, **kw)  # type: ignore[arg-type]

    return make


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests ran against the real Kafka broker (they fail, never skip, without it)."""
    passed = terminalreporter.stats.get("passed", [])
    failed = terminalreporter.stats.get("failed", [])
    kafka = [r for r in passed + failed if "kafka" in r.nodeid and r.when == "call"]
    terminalreporter.write_line(f"Kafka tests executed against a real broker: {len(kafka)} "
                                f"({sum(1 for r in kafka if r.passed)} passed)")
