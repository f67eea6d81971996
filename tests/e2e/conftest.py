"""The platform as `make up` starts it, one per test module (some modules stop parts of it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from improvenet.launcher import LaunchConfig, Platform
from improvenet.registry import ALL_SCOPES
from improvenet.registry import SERVICE_NAMES as SERVICES
from libs.common.keys import mint_token
from libs.common.testing.kafka_broker import free_port
from libs.common.testing.otlp_collector import OTLPCollector


@pytest.fixture(scope="module")
def collector() -> Iterator[OTLPCollector]:
    c = OTLPCollector().start()
    yield c
    c.stop()


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, collector: OTLPCollector) -> Iterator[Platform]:
    ports = {name: free_port() for name in ("gateway", *SERVICES)}
    config = LaunchConfig(state_dir=tmp_path_factory.mktemp("platform") / ".improvenet", ports=ports,
                          extra_env={"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
                                     "RATE_LIMIT_PER_SECOND": "1000", "RATE_LIMIT_BURST": "2000"})
    p = Platform(config)
    p.prepare()
    p.start()
    try:
        p.wait_ready(timeout=90)
        yield p
    finally:
        p.stop()


@pytest.fixture(scope="module")
def token_for(platform: Platform) -> Callable[..., str]:
    """Tokens signed with the platform's own issuer key (as `improvenet-admin token` makes them)."""
    private = (Path(platform.state_dir) / "keys" / "private.pem").read_bytes()

    def make(tenant: str = "hamilton", scopes: list[str] | None = None, **kw: object) -> str:
        return mint_token(private, tenant=tenant, issuer="improvenet", audience="improvenet",
                          scopes=ALL_SCOPES if scopes is None else scopes,
                          **kw)  # type: ignore[arg-type]

    return make


def outside_client() -> httpx.Client:
    """A caller from outside: not instrumented, so the traceparent a test sends is the one that arrives
    (tests that build apps in this process instrument httpx globally)."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    if HTTPXClientInstrumentor().is_instrumented_by_opentelemetry:
        HTTPXClientInstrumentor().uninstrument()
    return httpx.Client(timeout=15)


@pytest.fixture(scope="module")
def api(platform: Platform, token_for: Callable[..., str]) -> Iterator[httpx.Client]:
    with outside_client() as client:
        client.base_url = httpx.URL(platform.gateway_url + "/api/v1")
        client.headers["Authorization"] = f"Bearer {token_for()}"
        yield client
