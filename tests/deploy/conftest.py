"""Offline deployment checks: the tools are installed once into .venv/deploy-tools, never skipped.

- kustomize v5.7.1, built from the Go module proxy with this machine's Go (`go install`);
- kubernetes-validate (the Kubernetes JSON schemas) from PyPI, into its own folder: it runs in a
  subprocess (tests/deploy/validate.py), so its jsonschema/PyYAML never meet the test process's.

If either cannot be installed, every test that needs it fails with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
TOOLS = ROOT / ".venv" / "deploy-tools"
BIN = TOOLS / "bin"
PYLIB = TOOLS / "py"
KUSTOMIZE_VERSION = "v5.7.1"
KUBERNETES_VALIDATE_VERSION = "1.37.0"
KUBERNETES_VERSION = "1.33.0"  # the oldest Kubernetes the manifests target (sleep preStop hooks: 1.30+)
OVERLAYS = ("base", "overlays/dev", "overlays/prod")


def _run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)


def _install_kustomize() -> Path:
    exe = BIN / "kustomize"
    stamp = BIN / f".kustomize-{KUSTOMIZE_VERSION}"
    if exe.exists() and stamp.exists():
        return exe
    go = shutil.which("go")
    if go is None:
        pytest.fail("kustomize is needed and `go` is not on PATH to build it "
                    f"(go install sigs.k8s.io/kustomize/kustomize/v5@{KUSTOMIZE_VERSION})")
    BIN.mkdir(parents=True, exist_ok=True)
    result = _run([go, "install", f"sigs.k8s.io/kustomize/kustomize/v5@{KUSTOMIZE_VERSION}"],
                  env={**os.environ, "GOBIN": str(BIN), "GOFLAGS": "-mod=mod"})
    if result.returncode != 0 or not exe.exists():
        pytest.fail(f"could not install kustomize {KUSTOMIZE_VERSION}:\n{result.stderr[-3000:]}")
    stamp.touch()
    return exe


def _install_kubernetes_validate() -> Path:
    stamp = PYLIB / f".kubernetes-validate-{KUBERNETES_VALIDATE_VERSION}"
    if stamp.exists():
        return PYLIB
    result = _run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                   "--target", str(PYLIB), f"kubernetes-validate=={KUBERNETES_VALIDATE_VERSION}"])
    if result.returncode != 0:
        pytest.fail(f"could not install kubernetes-validate {KUBERNETES_VALIDATE_VERSION}:\n{result.stderr[-3000:]}")
    stamp.touch()
    return PYLIB


@pytest.fixture(scope="session")
def kustomize() -> Path:
    return _install_kustomize()


@pytest.fixture(scope="session")
def validator() -> Iterator[Any]:
    """validate(objects) -> [{"object": "Kind/name", "errors": [...]}], one entry per object."""
    pylib = _install_kubernetes_validate()

    def validate(objects: list[Any]) -> list[dict[str, Any]]:
        result = _run([sys.executable, str(Path(__file__).with_name("validate.py")), str(K8S / "crds"),
                       KUBERNETES_VERSION], input=json.dumps(objects),
                      env={**os.environ, "PYTHONPATH": str(pylib), "PYTHONDONTWRITEBYTECODE": "1"})
        if result.returncode != 0:
            pytest.fail(f"the validator itself failed:\n{result.stderr[-3000:]}")
        out: list[dict[str, Any]] = json.loads(result.stdout)
        assert len(out) == len(objects)
        return out

    yield validate


def build(kustomize: Path, path: Path) -> list[dict[str, Any]]:
    result = _run([str(kustomize), "build", str(path)])
    if result.returncode != 0:
        raise AssertionError(f"kustomize build {path} failed:\n{result.stderr}")
    return [d for d in yaml.safe_load_all(result.stdout) if d]


@pytest.fixture(scope="session")
def rendered(kustomize: Path) -> dict[str, list[dict[str, Any]]]:
    """Every overlay (and the base alone), rendered once per session."""
    return {name: build(kustomize, K8S / name) for name in OVERLAYS}


@pytest.fixture(scope="session")
def validated(rendered: dict[str, list[dict[str, Any]]], validator: Any) -> dict[str, list[dict[str, Any]]]:
    """The validator's verdict on every rendered object, per overlay (one validator run for all)."""
    objects = [o for name in OVERLAYS for o in rendered[name]]
    results = validator(objects)
    out: dict[str, list[dict[str, Any]]] = {}
    start = 0
    for name in OVERLAYS:
        out[name] = results[start:start + len(rendered[name])]
        start += len(rendered[name])
    return out


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The first run builds kustomize with `go install` inside a fixture: allow it more than the 300 s."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.timeout(900))
