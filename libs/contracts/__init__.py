"""The platform's published language: event payloads, importable by services and partners.

Every contracts module is listed in MODULES, and importing this package imports them all, so every
event type is registered; a test fails when a module here is missing from the list.
"""

import importlib

from libs.contracts.base import REGISTRY, EventPayload, event, parse_payload

MODULES = ("audit", "gateway", "hr", "observations", "networks", "strategy")
for _module in MODULES:
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["MODULES", "REGISTRY", "EventPayload", "event", "parse_payload"]
