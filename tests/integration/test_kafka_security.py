"""The Kafka bus over an authenticated listener: SASL_PLAINTEXT with SCRAM-SHA-512, as deploy/k8s runs it
(Strimzi `KafkaUser` with `authentication: scram-sha-512`, credentials in the environment)."""

from __future__ import annotations

import uuid

import pytest
from pydantic import SecretStr

from libs.common.bus import BusUnavailable, Message, create_bus
from libs.common.kafka_bus import KafkaBus
from libs.common.settings import PlatformSettings
from libs.common.testing.kafka_broker import KafkaBroker


def scram_settings(broker: KafkaBroker, password: str) -> PlatformSettings:
    assert broker.scram_user is not None
    return PlatformSettings(bus="kafka", kafka_bootstrap_servers=broker.scram_bootstrap_servers,
                            kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_mechanism="SCRAM-SHA-512",
                            kafka_sasl_username=broker.scram_user[0], kafka_sasl_password=SecretStr(password))


async def test_events_travel_over_a_scram_listener(kafka_broker: KafkaBroker) -> None:
    assert kafka_broker.scram_user is not None
    bus = create_bus(scram_settings(kafka_broker, kafka_broker.scram_user[1]))
    assert isinstance(bus, KafkaBus)
    topic = f"scram-{uuid.uuid4().hex[:8]}"
    subscription = bus.subscribe(f"g-{uuid.uuid4().hex[:8]}", [topic])
    try:
        await bus.ensure_topics([topic])
        await bus.ping()
        errors = await bus.publish([Message(topic, "k", b'{"n": 1}', {"ce_id": str(uuid.uuid4())})])
        assert errors == [None]
        received = []
        for _ in range(60):
            received += await subscription.poll(max_records=10, timeout=0.5)
            if received:
                break
        assert [d.message.value for d in received] == [b'{"n": 1}']
    finally:
        await subscription.close()
        await bus.close()


async def test_a_wrong_password_is_refused_not_ignored(kafka_broker: KafkaBroker) -> None:
    bus = create_bus(scram_settings(kafka_broker, "not-the-password"))
    try:
        with pytest.raises(BusUnavailable):
            await bus.ping()
    finally:
        await bus.close()


async def test_without_credentials_the_scram_listener_does_not_answer_as_plaintext(
        kafka_broker: KafkaBroker) -> None:
    bus = KafkaBus(kafka_broker.scram_bootstrap_servers, request_timeout_ms=2000)
    try:
        with pytest.raises(BusUnavailable):
            await bus.ping()
    finally:
        await bus.close()


def test_sasl_without_credentials_names_the_missing_settings() -> None:
    with pytest.raises(ValueError, match="KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD"):
        PlatformSettings(kafka_security_protocol="SASL_PLAINTEXT")
    options = PlatformSettings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-512",
                               kafka_sasl_username="u", kafka_sasl_password=SecretStr("p")).kafka_client_options()
    assert options == {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
                       "sasl_plain_username": "u", "sasl_plain_password": "p"}
    assert PlatformSettings().kafka_client_options() == {"security_protocol": "PLAINTEXT"}
