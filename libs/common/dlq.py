"""Dead letters: list them, show one, re-drive them through the normal inbox (both buses).

A consumer that gives up on an event publishes it to `<topic>.dlq` with `x-dlq-*` headers (error,
attempts, group, original topic/partition/offset) and records it in its inbox as `dead-lettered`.

Replay publishes the original message again on its original topic (same key, so the same partition and
the aggregate's order on Kafka), with `x-replay-for-group: <group>`. Every other group already has the
event in its inbox and skips it; the group it is replayed for re-claims its inbox row only while it
still says `dead-lettered` (libs.common.inbox.RECLAIM), in the handler's transaction. So a replay applies
at most once, however often it is run: a second replay, or a replay of an event that a previous replay
already applied, is a duplicate.

An entry's id is `<dlq topic>/<partition>/<offset>` (stable: the topic is an append-only log).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from libs.common.bus import DLQ_SUFFIX, Bus, BusUnavailable, Delivery, Message
from libs.common.inbox import REPLAY_GROUP_HEADER

REPLAY_OF_HEADER = "x-replay-of"


@dataclass(frozen=True)
class DeadLetter:
    id: str
    delivery: Delivery

    @property
    def headers(self) -> dict[str, str]:
        return self.delivery.message.headers

    @property
    def group(self) -> str:
        return self.headers.get("x-dlq-consumer-group", "")

    @property
    def original_topic(self) -> str:
        return self.headers.get("x-dlq-original-topic") or self.delivery.message.topic.removesuffix(DLQ_SUFFIX)

    @property
    def event_id(self) -> str:
        return self.headers.get("ce_id", "")

    def summary(self) -> dict[str, Any]:
        h = self.headers
        return {"id": self.id, "group": self.group, "topic": self.original_topic, "type": h.get("ce_type"),
                "event_id": self.event_id, "aggregate": self.delivery.message.key, "tenant": h.get("ce_tenantid"),
                "attempts": h.get("x-dlq-attempts"), "error_type": h.get("x-dlq-error-type"),
                "error": h.get("x-dlq-error")}

    def detail(self) -> dict[str, Any]:
        try:
            payload: Any = json.loads(self.delivery.message.value)
        except ValueError:
            payload = self.delivery.message.value.decode(errors="replace")
        return {**self.summary(), "headers": dict(self.headers), "payload": payload,
                "original_partition": self.headers.get("x-dlq-original-partition"),
                "original_offset": self.headers.get("x-dlq-original-offset")}


def entry_id(delivery: Delivery) -> str:
    return f"{delivery.message.topic}/{delivery.partition}/{delivery.offset}"


def dlq_topics(topics: Sequence[str]) -> list[str]:
    return [t if t.endswith(DLQ_SUFFIX) else t + DLQ_SUFFIX for t in topics]


async def list_dead_letters(bus: Bus, topics: Sequence[str], *, group: str | None = None,
                            limit: int = 10_000) -> list[DeadLetter]:
    """Every dead letter on the DLQ topics of `topics` (optionally only one consumer group's)."""
    entries = [DeadLetter(entry_id(d), d) for d in await bus.browse(dlq_topics(topics), limit=limit)]
    return [e for e in entries if group is None or e.group == group]


async def find_dead_letter(bus: Bus, entry: str) -> DeadLetter | None:
    topic = entry.split("/", 1)[0]
    for found in await list_dead_letters(bus, [topic]):
        if found.id == entry:
            return found
    return None


def replay_message(entry: DeadLetter) -> Message:
    """The original message, as the consumer first received it, marked as a replay for its group."""
    headers = {k: v for k, v in entry.headers.items() if not k.startswith("x-dlq-")}
    headers[REPLAY_GROUP_HEADER] = entry.group
    headers[REPLAY_OF_HEADER] = entry.id
    return Message(entry.original_topic, entry.delivery.message.key, entry.delivery.message.value, headers)


async def replay(bus: Bus, entries: Sequence[DeadLetter]) -> int:
    """Publish each entry back on its original topic, in DLQ order; returns how many were published."""
    if not entries:
        return 0
    messages = [replay_message(e) for e in entries if e.group]
    results = await bus.publish(messages)
    errors = [r for r in results if r is not None]
    if errors:
        raise BusUnavailable(f"{len(errors)} of {len(messages)} replays not accepted: {errors[0]!r}")
    return len(messages)
