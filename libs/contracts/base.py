"""The base of every event payload and the registry of event types.

Types are named `org.improvenet.<service>.<aggregate>.<past-tense-verb>`. Payloads evolve additively
(consumers ignore fields they do not know); a breaking change is a new type version.
Payloads carry ids and non-personal fields only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

# The gateway serves every event type's JSON Schema at SCHEMA_PATH/<type>/v<N>.json. An install sets
# IMPROVENET_SCHEMA_BASE to its gateway's public URL + SCHEMA_PATH so that `ce_dataschema` resolves there;
# the default (and the committed schema files and AsyncAPI document) use the canonical name.
SCHEMA_PATH = "/schemas/events"
SCHEMA_BASE = os.environ.get("IMPROVENET_SCHEMA_BASE", "https://improvenet.org" + SCHEMA_PATH).rstrip("/")


class EventPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]
    subject_field: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @property
    def subject(self) -> str:
        return str(getattr(self, self.subject_field))

    @property
    def aggregate_type(self) -> str:
        return self.event_type.rsplit(".", 2)[1]

    @classmethod
    def dataschema(cls) -> str:
        return f"{SCHEMA_BASE}/{cls.event_type}/v{cls.schema_version}.json"


REGISTRY: dict[str, type[EventPayload]] = {}
P = TypeVar("P", bound=type[EventPayload])


def event(event_type: str, *, topic: str, subject: str, version: int = 1) -> Callable[[P], P]:
    """Register a payload model under its CloudEvents type."""
    parts = event_type.split(".")
    if len(parts) != 5 or parts[:2] != ["org", "improvenet"]:
        raise ValueError(f"event type {event_type!r} is not org.improvenet.<service>.<aggregate>.<verb>")

    def register(cls: P) -> P:
        cls.event_type = event_type
        cls.topic = topic
        cls.subject_field = subject
        cls.schema_version = version
        if event_type in REGISTRY:
            raise ValueError(f"event type {event_type} registered twice")
        REGISTRY[event_type] = cls
        return cls

    return register


def parse_payload(event_type: str, data: dict[str, Any]) -> EventPayload:
    """The typed payload of a received event (KeyError for a type this build does not know)."""
    return REGISTRY[event_type].model_validate(data)
