"""Run the whole platform on one machine: what `make up` does, and what the end-to-end tests start.

Embedded PostgreSQL (unless DATABASE_URL names a server), signing keys, one database per service,
migrations, then the gateway, the four services and their workers as child processes.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from improvenet.registry import COMPONENTS, DEFAULT_PORTS, SERVICES
from libs.common.db import ensure_database
from libs.common.embedded_pg import EmbeddedPostgres
from libs.common.keys import ensure_signing_keys
from libs.common.migrations import upgrade
from libs.common.settings import database_url_for

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class LaunchConfig:
    state_dir: Path = Path(".improvenet")
    database_url: str | None = None  # None: the embedded PostgreSQL
    bus: str = "postgres"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    host: str = "127.0.0.1"
    extra_env: dict[str, str] = field(default_factory=dict)
    pg_settings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> LaunchConfig:
        return cls(state_dir=Path(os.environ.get("STATE_DIR", ".improvenet")),
                   database_url=os.environ.get("DATABASE_URL") or None,
                   bus=os.environ.get("BUS", "postgres"),
                   kafka_bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))


def entry_point(*args: str) -> list[str]:
    """The command line of one process: `python -m improvenet <role> <component> ...`."""
    return [sys.executable, "-m", "improvenet", *args]


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None


class Platform:
    def __init__(self, config: LaunchConfig) -> None:
        self.config = config
        self.state_dir = config.state_dir.resolve()
        self.pg: EmbeddedPostgres | None = None
        self.database_url = config.database_url
        self.children: list[Child] = []
        self.timings: dict[str, float] = {}

    @property
    def bootstrap_client_file(self) -> Path:
        return self.state_dir / "bootstrap-client.json"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.config.host}:{self.config.ports['gateway']}"

    def service_url(self, service: str) -> str:
        return f"http://{self.config.host}:{self.config.ports[service]}"

    def prepare(self) -> None:
        """Database server, keys, databases and migrations: everything before the processes."""
        t0 = time.monotonic()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        ensure_signing_keys(self.state_dir)
        if self.database_url is None:
            self.pg = EmbeddedPostgres(self.state_dir / "pgdata", settings=self.config.pg_settings)
            self.database_url = self.pg.start()
        self.timings["database"] = time.monotonic() - t0
        names = [c.database for c in COMPONENTS] + (["improvenet_bus"] if self.config.bus == "postgres" else [])

        async def create_all() -> None:
            for name in names:
                await ensure_database(self.server_url, name)

        asyncio.run(create_all())
        t1 = time.monotonic()
        for component in COMPONENTS:
            upgrade(component.migrations, database_url_for(self.server_url, component.database))
        self.timings["migrations"] = time.monotonic() - t1

    @property
    def server_url(self) -> str:
        assert self.database_url is not None, "prepare() first"
        return self.database_url

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
        env.update({
            "DATABASE_URL": self.server_url,
            "BUS": self.config.bus,
            "KAFKA_BOOTSTRAP_SERVERS": self.config.kafka_bootstrap_servers,
            "STATE_DIR": str(self.state_dir),
            "JWT_PUBLIC_KEY_FILE": str(self.state_dir / "keys" / "public.pem"),
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            "PYTHONUNBUFFERED": "1",
        })
        for service in SERVICES:
            env[f"{service.name.upper()}_URL"] = self.service_url(service.name)
        env["JWKS_URL"] = f"{self.gateway_url}/.well-known/jwks.json"
        env["BOOTSTRAP_CLIENT_FILE"] = str(self.bootstrap_client_file)
        env.update(self.config.extra_env)
        return env

    def _children(self) -> list[Child]:
        """An API process and a worker process per component, each run through the composition root."""
        env = self.environment()
        logs = self.state_dir / "logs"
        logs.mkdir(exist_ok=True)
        out = []
        for component in COMPONENTS:
            port = str(self.config.ports[component.name])
            out.append(Child(component.name, entry_point("api", component.name, "--host", self.config.host,
                                                          "--port", port), env, logs / f"{component.name}.log"))
            out.append(Child(f"{component.name}-worker", entry_point("worker", component.name), env,
                             logs / f"{component.name}-worker.log"))
        return out

    def start(self) -> None:
        self.children = self._children()
        for child in self.children:
            log_file = child.log_path.open("ab")
            child.process = subprocess.Popen(child.argv, env=child.env, cwd=ROOT, stdout=log_file,
                                             stderr=subprocess.STDOUT, start_new_session=True)
            log_file.close()

    def dead_children(self) -> list[Child]:
        return [c for c in self.children if c.process is not None and c.process.poll() is not None]

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Block until the gateway reports every service ready; returns the seconds it took."""
        t0 = time.monotonic()
        with httpx.Client(timeout=2) as client:
            while time.monotonic() - t0 < timeout:
                dead = self.dead_children()
                if dead:
                    names = ", ".join(f"{c.name} (log: {c.log_path})" for c in dead)
                    raise RuntimeError(f"process(es) exited during start: {names}")
                try:
                    if client.get(f"{self.gateway_url}/readyz").status_code == 200:
                        return time.monotonic() - t0
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise TimeoutError(f"platform not ready after {timeout:.0f}s; logs in {self.state_dir / 'logs'}")

    def stop(self) -> None:
        for child in self.children:
            if child.process is not None and child.process.poll() is None:
                child.process.terminate()
        deadline = time.monotonic() + 10
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        self.children = []
        if self.pg is not None:
            self.pg.stop()
            self.pg = None
