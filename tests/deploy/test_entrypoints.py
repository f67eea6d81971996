"""The image's commands, run outside a container the way the image runs them.

The Containerfile's ENTRYPOINT plus each rendered manifest's args (or an init container's command),
from the source tree as WORKDIR with PYTHONPATH on it, with the environment the pod would get (the
platform ConfigMap and the container's env). What a pod cannot have here is replaced, and only that:
the database URL points at the test PostgreSQL (pgserver, on a Unix socket) and the brokers at a closed
port. No container engine exists on this machine, so the image itself is not built.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from libs.common.db import ensure_database
from libs.common.settings import database_url_for
from libs.common.testing.kafka_broker import free_port
from tests.deploy.conftest import ROOT

Obj = dict[str, Any]
CONTAINERFILE = ROOT / "Containerfile"


def entrypoint() -> list[str]:
    lines = [ln for ln in CONTAINERFILE.read_text().splitlines() if ln.startswith("ENTRYPOINT")]
    assert len(lines) == 1, "the Containerfile has one ENTRYPOINT"
    command: list[str] = json.loads(lines[0].removeprefix("ENTRYPOINT").strip())  # exec form
    return command


def local(command: list[str]) -> list[str]:
    """The image's `python` is this venv's interpreter here."""
    assert command[0] == "python", command
    return [sys.executable, *command[1:]]


def find(objects: list[Obj], kind: str, name: str) -> Obj:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def expand(value: str, env: dict[str, str]) -> str:
    """The kubelet's $(VAR) expansion of env values."""
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m.group(1), m.group(0)), value)


def pod_env(objects: list[Obj], container: Obj, secrets: dict[str, str], **overrides: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(find(objects, "ConfigMap", source["configMapRef"]["name"])["data"])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = expand(item["value"], env)
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secrets[f"{ref['name']}/{ref['key']}"]
    env.update(overrides)
    # the image: `ENV PYTHONPATH=/app PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1`, WORKDIR /app
    image_env = {"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
                 "PATH": os.environ["PATH"], "HOME": env.get("STATE_DIR", "/nonexistent")}
    return {**image_env, **env}


SECRETS = {"improvenet-hr-db/username": "improvenet_hr", "improvenet-hr-db/password": "s3cr3t-hex",
           "improvenet-hr-kafka/password": "kafka-secret"}


def test_the_manifests_database_url_is_one_the_services_parse(rendered: dict[str, list[Obj]]) -> None:
    dev = rendered["overlays/dev"]
    api = find(dev, "Deployment", "improvenet-hr-api")["spec"]["template"]["spec"]["containers"][0]
    worker = find(dev, "Deployment", "improvenet-hr-worker")["spec"]["template"]["spec"]["containers"][0]
    for container, host in ((api, "improvenet-pg-rw"), (worker, "improvenet-pg-rw")):
        url = make_url(pod_env(dev, container, SECRETS)["HR_DATABASE_URL"])
        assert (url.username, url.password, url.host, url.port, url.database) == (
            "improvenet_hr", "s3cr3t-hex", host, 5432, "improvenet_hr")


def test_every_manifest_command_is_one_the_entry_point_accepts(rendered: dict[str, list[Obj]]) -> None:
    from improvenet.registry import BY_NAME

    assert entrypoint() == ["python", "-m", "improvenet"]
    commands = [c["args"] for o in rendered["overlays/prod"] if o["kind"] in ("Deployment", "Job")
                and o["metadata"]["labels"].get("app.kubernetes.io/part-of") == "improvenet"
                for c in o["spec"]["template"]["spec"]["containers"] if "args" in c and c["name"] != "collector"]
    assert len(commands) == 3 * len(BY_NAME)
    from improvenet.__main__ import main

    for args in commands:  # the parser accepts the command (and stops at --help before running it)
        with pytest.raises(SystemExit) as stopped:
            main([*args, "--help"])
        assert stopped.value.code == 0, args
    with pytest.raises(SystemExit) as stopped:
        main(["api", "no-such-component", "--help"])
    assert stopped.value.code == 2


@pytest.fixture
def hr_server_database(pg_server: str) -> str:
    import asyncio

    name = f"improvenet_hr_deploy_{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_database(pg_server, name))  # the CloudNativePG Database resource's work
    return database_url_for(pg_server, name)


def test_migrate_wait_and_api_as_the_pods_run_them(rendered: dict[str, list[Obj]], hr_server_database: str,
                                                    tmp_path: Path) -> None:
    dev = rendered["overlays/dev"]
    closed = free_port()
    overrides = {"HR_DATABASE_URL": hr_server_database, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{closed}",
                 "JWKS_URL": f"http://127.0.0.1:{closed}/.well-known/jwks.json",
                 "OTEL_EXPORTER_OTLP_ENDPOINT": "", "STATE_DIR": str(tmp_path)}
    api_pod = find(dev, "Deployment", "improvenet-hr-api")["spec"]["template"]["spec"]
    waiter = api_pod["initContainers"][0]
    assert waiter["name"] == "wait-for-migrations"
    wait_env = pod_env(dev, waiter, SECRETS, **overrides)
    env_no_otel = {k: v for k, v in wait_env.items() if k != "OTEL_EXPORTER_OTLP_ENDPOINT"}

    # 1. before the Job has run, the init container waits (and says why)
    proc = subprocess.Popen(local(waiter["command"]), cwd=ROOT, env=env_no_otel, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline() if proc.stderr else ""
        assert "hr: database at None, waiting for" in line
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()

    # 2. the migration Job's container
    job = find(dev, "Job", "improvenet-hr-migrate")["spec"]["template"]["spec"]["containers"][0]
    job_env = {k: v for k, v in pod_env(dev, job, SECRETS, **overrides).items() if k != "OTEL_EXPORTER_OTLP_ENDPOINT"}
    result = subprocess.run([*local(entrypoint()), *job["args"]], cwd=ROOT, env=job_env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "hr: at head" in result.stderr

    # 3. now the init container lets the pod start
    result = subprocess.run(local(waiter["command"]), cwd=ROOT, env=env_no_otel, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr

    # 4. the API container: /healthz answers, /readyz says the bus is missing (no broker here)
    api = api_pod["containers"][0]
    port = free_port()
    args = [*api["args"]]
    args[args.index("--port") + 1] = str(port)
    args[args.index("--host") + 1] = "127.0.0.1"
    api_env = {k: v for k, v in pod_env(dev, api, SECRETS, **overrides).items() if k != "OTEL_EXPORTER_OTLP_ENDPOINT"}
    proc = subprocess.Popen([*local(entrypoint()), *args], cwd=ROOT, env=api_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                health = httpx.get(base + api["livenessProbe"]["httpGet"]["path"], timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert health is not None and health.status_code == 200
        ready = httpx.get(base + api["readinessProbe"]["httpGet"]["path"], timeout=15)
        assert ready.status_code == 503
        detail = ready.json()["detail"]
        assert "bus: unreachable" in detail, detail
        assert "database:" not in detail and "migrations:" not in detail, detail  # migrated, reachable
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            # a graceful stop: uvicorn shuts down, then re-raises the SIGTERM it caught
            assert proc.wait(timeout=15) in (0, -signal.SIGTERM)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_the_containerfile_matches_what_the_manifests_and_this_test_assume(rendered: dict[str, list[Obj]]) -> None:
    """The image is not built here (no container engine): check the facts the pods depend on."""
    import tomllib

    text = CONTAINERFILE.read_text()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert base and re.fullmatch(r"[\w./-]+/python:3\.11\.\d+-slim-\w+", base.group(1)), "pinned slim Python 3.11"
    with (ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)
    assert project["project"]["requires-python"].startswith(">=3.11")
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    for package in packages:  # every package is in the image, where PYTHONPATH finds it
        assert f"COPY {package} ./{package}" in lines and any(ln.endswith(f"/src/{package} /app/{package}")
                                                             for ln in lines), package
        assert f"!{package}/" in (ROOT / ".containerignore").read_text().split()
    assert (ROOT / ".containerignore").read_text() == (ROOT / ".dockerignore").read_text()
    assert "['project']['dependencies']" in text, "the pinned runtime dependencies from pyproject.toml"
    assert "WORKDIR /app" in lines and "PYTHONPATH=/app \\" in lines and "PYTHONDONTWRITEBYTECODE=1 \\" in lines
    user = next(ln for ln in reversed(lines) if ln.startswith("USER "))
    uid = int(user.split()[1].split(":")[0])
    assert uid != 0
    run_as = {o["spec"]["template"]["spec"]["securityContext"].get("runAsUser")
              for o in rendered["overlays/prod"] if o["kind"] in ("Deployment", "Job")}
    assert run_as == {uid}
    state = next(o for o in rendered["overlays/prod"] if o["kind"] == "ConfigMap"
                 and o["metadata"]["name"] == "improvenet-config")["data"]["STATE_DIR"]
    assert f"STATE_DIR={state}" in text
