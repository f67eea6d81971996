"""The platform's published language: event payloads, importable by services and partners."""

from libs.contracts import audit, hr, observations
from libs.contracts.base import REGISTRY, EventPayload, event, parse_payload

__all__ = ["REGISTRY", "EventPayload", "audit", "event", "hr", "observations", "parse_payload"]
