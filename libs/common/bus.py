"""The bus: publish messages to topics, consume them as a group. Two backends, one interface.

`postgres` (embedded default) keeps an append-only log per topic in its own database;
`kafka` talks to Apache Kafka. Consumers cannot tell them apart.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from libs.common.settings import PlatformSettings


@dataclass(frozen=True)
class Message:
    topic: str
    key: str
    value: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Delivery:
    message: Message
    partition: int
    offset: int


class BusUnavailable(ConnectionError):
    """The bus could not be reached; the caller retries later."""


class Subscription(abc.ABC):
    @abc.abstractmethod
    async def poll(self, max_records: int, timeout: float) -> list[Delivery]:
        """Messages after the group's position, in order per key; waits up to `timeout` seconds."""

    @abc.abstractmethod
    async def commit(self, deliveries: Sequence[Delivery]) -> None:
        """Advance the group's committed position past these deliveries."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    def ready(self) -> bool:
        """True once the subscription consumes (Kafka: the group gave it partitions). For /readyz."""
        return True


class Bus(abc.ABC):
    @abc.abstractmethod
    async def publish(self, messages: Sequence[Message]) -> list[BaseException | None]:
        """Publish in order; one result per message (None when durably accepted)."""

    @abc.abstractmethod
    def subscribe(self, group: str, topics: Sequence[str]) -> Subscription: ...

    @abc.abstractmethod
    async def ensure_topics(self, topics: Sequence[str]) -> None: ...

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise BusUnavailable when the bus cannot be reached."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    # Operations (metrics, dead letters): not abstract, so a bus written before them still works.

    async def consumer_lag(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        """Per topic: messages after the group's committed position (for the lag metric)."""
        return {}

    async def rewind(self, group: str, topics: Sequence[str]) -> None:
        """Move the group's committed position back to the start of `topics` (a replay from offset 0).
        Only while no member of the group is consuming (Kafka refuses otherwise)."""
        raise NotImplementedError(f"{type(self).__name__} cannot rewind groups")

    async def browse(self, topics: Sequence[str], limit: int = 10_000) -> list[Delivery]:
        """Every message of `topics` from the start, without joining any group (the DLQ tools)."""
        raise NotImplementedError(f"{type(self).__name__} cannot browse topics")


DLQ_SUFFIX = ".dlq"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}{DLQ_SUFFIX}"


def create_bus(settings: PlatformSettings, **options: Any) -> Bus:
    if settings.bus == "kafka":
        from libs.common.kafka_bus import KafkaBus

        return KafkaBus(settings.kafka_bootstrap_servers, partitions=settings.kafka_topic_partitions,
                        client_options=settings.kafka_client_options(), **options)
    from libs.common.postgres_bus import PostgresBus

    return PostgresBus(settings.resolved_bus_database_url(), **options)
