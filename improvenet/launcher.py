"""Run the whole platform on one machine: what `make up` does, and what the end-to-end tests start.

Embedded PostgreSQL (unless DATABASE_URL names a server), signing keys, one database per service,
migrations, then the gateway, the four services and their workers as child processes.

Supervision (`LaunchConfig.supervise`, on for `make up`): a thread watches the children; one that exits
is restarted after a backoff, with a line naming it and its exit status. A child that keeps dying
within `min_uptime` of its start `crash_loop_limit` times in a row is given up on (the launcher says so,
the others keep running). The same thread writes `<state dir>/status.json` every second, which
`improvenet-admin status` reads (and completes by probing each process's /readyz).

Every child gets `IMPROVENET_INSTANCE_ID`, which its /readyz returns: readiness means *our* processes
answer, not whatever else listens on the port. A port already taken is refused before anything starts,
naming the port and the process that holds it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    # Workers' /metrics, /readyz listeners (default: API port + 1000 on default ports, else free ports).
    worker_ports: dict[str, int] = field(default_factory=dict)
    supervise: bool = False  # restart children that exit (`make up` turns it on)
    restart_backoff: float = 0.25  # first delay before a restart; doubles per quick failure
    max_restart_backoff: float = 5.0
    min_uptime: float = 10.0  # a child that dies sooner than this counts towards a crash loop
    crash_loop_limit: int = 5  # consecutive quick deaths before giving up on a child

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
    kind: str = "api"  # "api" or "worker"
    port: int | None = None  # where its /readyz (and /metrics) answers
    started_at: float = 0.0  # wall clock of the current process's start
    restarts: int = 0
    quick_failures: int = 0  # consecutive deaths within min_uptime
    state: str = "starting"  # running, restarting, gave-up, stopped
    last_exit: str | None = None
    restart_at: float | None = None  # monotonic time of a scheduled restart

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


class PortTaken(RuntimeError):
    """A port the platform needs is held by another process."""


def describe_exit(returncode: int) -> str:
    """'exit code 3' or 'signal SIGKILL' (Popen reports a signal as a negative code)."""
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


def port_owner(port: int, host: str = "127.0.0.1") -> str | None:
    """Who listens on `port`: 'pid 123 (python -m http.server)', 'an unknown process', or None if free."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return None
        except OSError:
            pass
    try:
        import psutil

        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
                try:
                    proc = psutil.Process(conn.pid)
                    cmd = " ".join(proc.cmdline()) or proc.name()
                except psutil.Error:
                    cmd = "?"
                return f"pid {conn.pid} ({cmd[:160]})"
    except Exception:  # psutil may be refused other users' sockets: still name the port
        pass
    return "another process (not ours; its pid is not visible to this user)"


def listening_pid(port: int) -> int | None:
    try:
        import psutil

        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
                return int(conn.pid) if conn.pid else None
    except Exception:
        return None
    return None


def _failing_checks(response: httpx.Response) -> str:
    """`: bus=waiting for the bus, ...` from a /readyz answer's checks that are not ok (empty if none)."""
    try:
        body = response.json()
        checks, detail = body.get("checks") or {}, body.get("detail")
    except (ValueError, AttributeError):
        return ""
    if not checks and detail:  # the APIs answer 503 as problem+json: the detail names what is not ok
        return f": {detail}"
    failing = [f"{name}={value}" for name, value in checks.items() if value != "ok"]
    return f": {', '.join(failing)}" if failing else ""


def log_tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Platform:
    def __init__(self, config: LaunchConfig) -> None:
        self.config = config
        self.state_dir = config.state_dir.resolve()
        self.pg: EmbeddedPostgres | None = None
        self.database_url = config.database_url
        self.children: list[Child] = []
        self.timings: dict[str, float] = {}
        self.instance_id = uuid.uuid4().hex
        self.started_at = time.time()
        self.worker_ports = dict(config.worker_ports) or self._default_worker_ports()
        self.events: list[str] = []  # supervision log lines, newest last (also in logs/launcher.log)
        self.on_event: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._monitor: threading.Thread | None = None

    def _default_worker_ports(self) -> dict[str, int]:
        from libs.common.testing.kafka_broker import free_port

        if self.config.ports == DEFAULT_PORTS:
            return {name: port + 1000 for name, port in DEFAULT_PORTS.items()}
        return {name: free_port() for name in self.config.ports}

    @property
    def status_file(self) -> Path:
        return self.state_dir / "status.json"

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
            "IMPROVENET_INSTANCE_ID": self.instance_id,
            "DATABASE_URL": self.server_url,
            "BUS": self.config.bus,
            "KAFKA_BOOTSTRAP_SERVERS": self.config.kafka_bootstrap_servers,
            "STATE_DIR": str(self.state_dir),
            "JWT_PUBLIC_KEY_FILE": str(self.state_dir / "keys" / "public.pem"),
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            "PYTHONUNBUFFERED": "1",
            "PYTHONFAULTHANDLER": "1",  # a native crash (SIGSEGV) leaves the Python stack in the log
        })
        for service in SERVICES:
            env[f"{service.name.upper()}_URL"] = self.service_url(service.name)
        env["JWKS_URL"] = f"{self.gateway_url}/.well-known/jwks.json"
        # Delivered events' `dataschema` links resolve at this gateway (a deployment sets its public URL).
        env.setdefault("PARTNERS_PUBLIC_URL", self.gateway_url)
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
            port = self.config.ports[component.name]
            out.append(Child(component.name, entry_point("api", component.name, "--host", self.config.host,
                                                          "--port", str(port)), env, logs / f"{component.name}.log",
                             kind="api", port=port))
            worker_port = self.worker_ports[component.name]
            out.append(Child(f"{component.name}-worker", entry_point("worker", component.name),
                             {**env, "METRICS_PORT": str(worker_port), "METRICS_HOST": self.config.host},
                             logs / f"{component.name}-worker.log", kind="worker", port=worker_port))
        return out

    def check_ports(self, children: list[Child]) -> None:
        """Refuse to start on a taken port, naming the port, the child it was for and who holds it."""
        taken = [f"port {c.port} (for {c.name}) is in use by {owner}"
                 for c in children if c.port is not None and (owner := port_owner(c.port, self.config.host))]
        if taken:
            raise PortTaken("cannot start: " + "; ".join(taken))

    def _spawn(self, child: Child) -> None:
        with child.log_path.open("ab") as log_file:
            child.process = subprocess.Popen(child.argv, env=child.env, cwd=ROOT, stdout=log_file,
                                             stderr=subprocess.STDOUT, start_new_session=True)
        child.started_at = time.time()
        child.state = "running"
        child.restart_at = None

    def start(self) -> None:
        children = self._children()
        self.check_ports(children)
        self._stopping.clear()
        with self._lock:
            self.children = children
            for child in self.children:
                self._spawn(child)
        self._event(f"started {len(children)} processes (instance {self.instance_id[:8]}, "
                    f"supervision {'on' if self.config.supervise else 'off'})")
        self._monitor = threading.Thread(target=self._watch, name="improvenet-supervisor", daemon=True)
        self._monitor.start()

    # --- supervision ---------------------------------------------------------------------------

    def _event(self, line: str) -> None:
        stamped = f"{time.strftime('%H:%M:%S')} launcher: {line}"
        self.events.append(stamped)
        try:
            with (self.state_dir / "logs" / "launcher.log").open("a") as f:
                f.write(stamped + "\n")
        except OSError:
            pass
        try:
            self.on_event(stamped)
        except Exception:
            pass

    def _watch(self) -> None:
        last_write = 0.0
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    break
                for child in self.children:
                    self._check(child)
            if time.monotonic() - last_write >= 1.0:
                self.write_status()
                last_write = time.monotonic()
            self._stopping.wait(0.1)

    def _check(self, child: Child) -> None:
        now = time.monotonic()
        if child.state == "restarting" and child.restart_at is not None and now >= child.restart_at:
            owner = port_owner(child.port, self.config.host) if child.kind == "api" and child.port else None
            if owner is not None:
                # Someone took the port while it was down: starting would only fail again. Wait and retry.
                self._event(f"{child.name}: port {child.port} is held by {owner}; retrying in 2s")
                child.restart_at = now + 2.0
                return
            child.restarts += 1
            self._spawn(child)
            self._event(f"{child.name} restarted (pid {child.pid}, restart #{child.restarts})")
            return
        if child.state != "running" or child.process is None or child.process.poll() is None:
            return
        code = child.process.returncode
        child.last_exit = describe_exit(code)
        uptime = time.time() - child.started_at
        if not self.config.supervise:
            child.state = "stopped"
            self._event(f"{child.name} (pid {child.pid}) exited with {child.last_exit} after {uptime:.1f}s")
            return
        child.quick_failures = child.quick_failures + 1 if uptime < self.config.min_uptime else 1
        if child.quick_failures >= self.config.crash_loop_limit:
            child.state = "gave-up"
            self._event(f"{child.name} (pid {child.pid}) exited with {child.last_exit}; it died "
                        f"{child.quick_failures} times in a row within {self.config.min_uptime:.0f}s of starting: "
                        f"crash loop, giving up on it (the other processes keep running). Log: {child.log_path}")
            return
        delay = min(self.config.restart_backoff * 2 ** (child.quick_failures - 1), self.config.max_restart_backoff)
        child.state = "restarting"
        child.restart_at = now + delay
        self._event(f"{child.name} (pid {child.pid}) exited with {child.last_exit} after {uptime:.1f}s; "
                    f"restarting in {delay:.2f}s")

    def child(self, name: str) -> Child:
        return next(c for c in self.children if c.name == name)

    def hold(self, name: str, timeout: float = 15.0) -> None:
        """Stop one child and keep it stopped (no restart) until release(): for maintenance and tests."""
        with self._lock:
            child = self.child(name)
            child.state = "held"
            child.restart_at = None
            if child.process is not None and child.process.poll() is None:
                child.process.terminate()
                try:
                    child.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    child.process.kill()
                    child.process.wait()
        self._event(f"{name} held (stopped until released)")

    def release(self, name: str) -> None:
        with self._lock:
            child = self.child(name)
            if child.state == "held":
                self._spawn(child)
        self._event(f"{name} released (pid {child.pid})")

    def status(self) -> dict[str, Any]:
        """What status.json holds: the platform, and each process's pid, uptime, restarts and state."""
        now = time.time()
        with self._lock:
            processes = [{
                "name": c.name, "kind": c.kind, "pid": c.pid, "state": c.state,
                "alive": c.process is not None and c.process.poll() is None,
                "started_at": c.started_at, "uptime_seconds": round(now - c.started_at, 1) if c.started_at else None,
                "restarts": c.restarts, "last_exit": c.last_exit,
                "readyz": f"http://{self.config.host}:{c.port}/readyz" if c.port else None,
                "metrics": f"http://{self.config.host}:{c.port}/metrics" if c.port else None,
                "log": str(c.log_path),
            } for c in self.children]
        return {"instance_id": self.instance_id, "launcher_pid": os.getpid(), "started_at": self.started_at,
                "written_at": now, "bus": self.config.bus,
                "kafka_bootstrap_servers": self.config.kafka_bootstrap_servers,
                "database_url": self.database_url, "gateway_url": self.gateway_url,
                "supervise": self.config.supervise, "processes": processes}

    def write_status(self) -> None:
        """Atomically, mode 0600 (it names the database server)."""
        try:
            tmp = self.status_file.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(self.status(), f, indent=1)
            os.replace(tmp, self.status_file)
        except OSError:
            pass

    def given_up(self) -> list[Child]:
        return [c for c in self.children if c.state == "gave-up"]

    def dead_children(self) -> list[Child]:
        """Children that have exited and will not come back by themselves (no restart pending)."""
        with self._lock:
            if self.config.supervise:
                return self.given_up()
            return [c for c in self.children if c.process is not None and c.process.poll() is not None]

    def _ours(self, client: httpx.Client, child: Child) -> tuple[bool, str]:
        """Is `child` ready, and is it the process we started (instance id), not a stranger on its port?"""
        assert child.port is not None
        try:
            r = client.get(f"http://{self.config.host}:{child.port}/readyz")
        except httpx.HTTPError as exc:
            return False, type(exc).__name__
        instance = r.headers.get("x-improvenet-instance")
        if instance is None and r.headers.get("content-type", "").startswith("application/json"):
            try:
                instance = r.json().get("instance")
            except ValueError:
                instance = None
        if instance is None and child.kind == "api":
            # An app without the instance tag: accept it only if the listening pid is our child's.
            owner = listening_pid(child.port)
            if owner is not None and owner != child.pid:
                return False, f"port {child.port} answered by pid {owner}, not ours ({child.pid})"
        elif instance != self.instance_id:
            return False, f"port {child.port} answered by another platform (instance {instance})"
        return r.status_code == 200, f"readyz {r.status_code}{_failing_checks(r)}"

    def readiness(self, timeout: float = 2.0) -> dict[str, tuple[bool, str]]:
        with httpx.Client(timeout=timeout) as client:
            return {c.name: self._ours(client, c) for c in list(self.children) if c.port is not None}

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Block until every process is ready and is ours (the gateway's /readyz also covers the
        services); returns the seconds it took."""
        t0 = time.monotonic()
        pending: dict[str, str] = {}
        with httpx.Client(timeout=2) as client:
            while time.monotonic() - t0 < timeout:
                dead = self.dead_children()
                if dead:
                    names = "; ".join(f"{c.name} ({c.last_exit or describe_exit(c.process.returncode or 0)}, "
                                      f"log: {c.log_path}):\n{log_tail(c.log_path)}"
                                      for c in dead if c.process is not None)
                    raise RuntimeError(f"process(es) exited during start: {names}")
                pending = {}
                for child in list(self.children):
                    if child.port is None:
                        continue
                    ok, why = self._ours(client, child)
                    if not ok:
                        pending[child.name] = why
                        break  # probe the rest on the next round: the first one not ready is enough
                if not pending:
                    try:
                        if client.get(f"{self.gateway_url}/readyz").status_code == 200:
                            return time.monotonic() - t0
                        pending["gateway"] = "gateway /readyz not 200"
                    except httpx.HTTPError as exc:
                        pending["gateway"] = type(exc).__name__
                time.sleep(0.1)
            # Name every process still not ready (not only the first), with its failing checks and
            # its last log lines: a start that hangs in CI must be diagnosable from the failure alone.
            waiting = {c.name: why for c in list(self.children) if c.port is not None
                       for ok, why in [self._ours(client, c)] if not ok} or pending
        tails = "\n".join(f"--- {name} ({why}), log {c.log_path}:\n{log_tail(c.log_path, 15)}"
                          for name, why in waiting.items() for c in self.children if c.name == name)
        raise TimeoutError(f"platform not ready after {timeout:.0f}s ({waiting}); logs in {self.state_dir / 'logs'}"
                           + (f"\n{tails}" if tails else ""))

    def stop(self) -> None:
        self._stopping.set()
        if self._monitor is not None:
            self._monitor.join(5)
            self._monitor = None
        with self._lock:
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
                child.state = "stopped"
            self.children = []
        try:
            self.status_file.unlink()
        except OSError:
            pass
        if self.pg is not None:
            self.pg.stop()
            self.pg = None
