"""The architecture's rules are tests: import contracts, and every event type registered."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import libs.contracts
from libs.contracts.base import REGISTRY, EventPayload

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept() -> None:
    """Services independent of each other, libs below everything (pyproject's [tool.importlinter])."""
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and "0 broken" in result.stdout


def test_every_contracts_module_is_listed_so_its_event_types_register() -> None:
    on_disk = {m.name for m in pkgutil.iter_modules(libs.contracts.__path__)
               if not m.name.startswith("_") and m.name != "base"}
    assert on_disk == set(libs.contracts.MODULES)


def test_every_payload_class_with_a_type_is_in_the_registry() -> None:
    defined = []
    for name in libs.contracts.MODULES:
        module = importlib.import_module(f"libs.contracts.{name}")
        defined += [obj for obj in vars(module).values()
                    if isinstance(obj, type) and issubclass(obj, EventPayload) and "event_type" in vars(obj)]
    assert defined, "no event types found: the scan is broken"
    assert all(REGISTRY.get(cls.event_type) is cls for cls in defined)
