"""The launcher's supervision rules with real child processes (no database needed): restart with
backoff and a line naming the exit, a crash loop given up on while the others keep running, a taken
port named with its owner."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from improvenet.launcher import Child, LaunchConfig, Platform, PortTaken, describe_exit, port_owner


def test_exit_status_is_described_as_code_or_signal() -> None:
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-signal.SIGKILL) == "signal SIGKILL"
    assert describe_exit(0) == "exit code 0"


def supervised(tmp_path: Path, **config: object) -> Platform:
    settings: dict[str, object] = {"restart_backoff": 0.05, "min_uptime": 5.0, "crash_loop_limit": 3, **config}
    p = Platform(LaunchConfig(state_dir=tmp_path, supervise=True, **settings))  # type: ignore[arg-type]
    p.on_event = lambda line: None
    (tmp_path / "logs").mkdir(exist_ok=True)
    return p


def child(tmp_path: Path, name: str, code: str) -> Child:
    return Child(name, [sys.executable, "-c", code], dict(os.environ), tmp_path / "logs" / f"{name}.log",
                 kind="worker", port=None)


def run_until(p: Platform, done: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done():  # type: ignore[operator]
        for c in p.children:
            p._check(c)
        time.sleep(0.02)


def test_a_child_that_dies_is_restarted_and_a_crash_loop_is_given_up_on_while_others_run(tmp_path: Path) -> None:
    p = supervised(tmp_path)
    crashing = child(tmp_path, "crashing", "import sys; sys.exit(3)")
    steady = child(tmp_path, "steady", "import time; time.sleep(60)")
    p.children = [crashing, steady]
    for c in p.children:
        p._spawn(c)
    try:
        run_until(p, lambda: crashing.state == "gave-up", 30)
        assert crashing.state == "gave-up" and crashing.restarts == 2  # 3 quick deaths: two restarts, then no more
        assert steady.state == "running" and steady.process is not None and steady.process.poll() is None
        lines = "\n".join(p.events)
        assert "crashing (pid" in lines and "exited with exit code 3" in lines and "restarting in 0.05s" in lines
        assert "restarting in 0.10s" in lines, "the backoff does not grow"
        assert "crash loop, giving up on it (the other processes keep running)" in lines
        assert (tmp_path / "logs" / "launcher.log").read_text().count("exited with exit code 3") == 3
        assert p.dead_children() == [crashing]
    finally:
        for c in p.children:
            if c.process is not None and c.process.poll() is None:
                c.process.kill()
                c.process.wait()


def test_a_killed_child_that_had_been_up_is_restarted_every_time(tmp_path: Path) -> None:
    p = supervised(tmp_path, min_uptime=0.2)
    worker = child(tmp_path, "worker", "import time; time.sleep(60)")
    p.children = [worker]
    p._spawn(worker)
    try:
        for n in range(1, 5):  # more kills than the crash-loop limit: each after a healthy uptime
            time.sleep(0.3)
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
            run_until(p, lambda n=n: worker.restarts == n and worker.state == "running", 10)
            assert worker.restarts == n and worker.state == "running"
        assert worker.last_exit == "signal SIGKILL"
        assert "worker (pid" in p.events[-2] and "exited with signal SIGKILL" in p.events[-2]
        status = p.status()["processes"][0]
        assert status["restarts"] == 4 and status["pid"] == worker.pid and status["alive"] is True
    finally:
        if worker.process is not None:
            worker.process.kill()
            worker.process.wait()


def test_a_taken_port_is_reported_with_the_port_and_its_owner(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        owner = port_owner(port)
        assert owner is not None and f"pid {os.getpid()}" in owner
        p = supervised(tmp_path)
        taken = Child("hr", ["true"], {}, tmp_path / "hr.log", kind="api", port=port)
        with pytest.raises(PortTaken, match=rf"port {port} \(for hr\) is in use by pid {os.getpid()}"):
            p.check_ports([taken])
    assert port_owner(port) is None


def test_a_start_that_hangs_names_each_waiting_process_its_failing_check_and_its_log(tmp_path: Path) -> None:
    """A worker stuck on one check (here the bus) times the start out with that check and its log lines
    in the error: a hang in CI is diagnosable from the failure alone."""
    p = supervised(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    body = ('{"status": "not ready", "checks": {"bus": "waiting for the bus", "database": "ok"}, '
            f'"instance": "{p.instance_id}"}}')
    server = (
        "import http.server\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        f"        b = {body!r}.encode()\n"
        "        self.send_response(503); self.send_header('Content-Type', 'application/json')\n"
        "        self.send_header('Content-Length', str(len(b))); self.end_headers(); self.wfile.write(b)\n"
        "    def log_message(self, *a): pass\n"
        "print('joining consumer group audit', flush=True)\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), H).serve_forever()\n")
    worker = Child("gateway-worker", [sys.executable, "-c", server], dict(os.environ),
                   tmp_path / "logs" / "gateway-worker.log", kind="worker", port=port)
    p.children = [worker]
    p._spawn(worker)
    try:
        with pytest.raises(TimeoutError) as failure:
            p.wait_ready(timeout=3)
    finally:
        assert worker.process is not None
        worker.process.kill()
        worker.process.wait()
    message = str(failure.value)
    assert "gateway-worker" in message and "bus=waiting for the bus" in message
    assert "database=ok" not in message  # only what is not ok
    assert "joining consumer group audit" in message  # the log's last lines
