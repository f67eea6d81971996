"""The AsyncAPI 3.0 document of the platform's events, generated from the contracts registry.

One channel per topic, one message per event type with its payload schema, the CloudEvents
binary-mode headers (`ce_*`, the tenant, `traceparent`), Kafka bindings (the key is the aggregate id)
and an example per message. New event types appear here as soon as they are registered; a test
fails when the committed `asyncapi.json` drifts from what this module generates.

(The leading underscore keeps this module out of `MODULES`: it holds no event types.)
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Mapping
from typing import Any

from libs.contracts.base import REGISTRY, SCHEMA_PATH, EventPayload

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
EXAMPLE_TENANT = "district-a"
EXAMPLE_TIME = "2026-09-01T08:30:00+00:00"
EXAMPLE_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
SCHEMA_REF = "#/components/schemas/{model}"
_KEY = re.compile(r"[^A-Za-z0-9._-]")  # AsyncAPI component keys: ^[a-zA-Z0-9\.\-_]+$

DESCRIPTION = """Business events of the improvenet platform, as CloudEvents 1.0.

On Kafka (and on the embedded PostgreSQL bus) every message is a CloudEvent in **binary mode**: the
attributes are `ce_*` headers, the tenant is the `ce_tenantid` extension, the value is the JSON payload
and the key is the aggregate id, so each aggregate's events keep their order within a partition.

Partners read these events in one of three ways:

* **Kafka topics** directly (single-tenant installs only: a topic holds every tenant's events);
* **signed webhooks** (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`), the
  body being the CloudEvent in **structured JSON mode** (`application/cloudevents+json`);
* the **HTTP event feed** `GET /api/v1/events?after=<cursor>&types=...`, returning structured CloudEvents.

Webhooks and the feed carry only the partner's tenant and the event types the tenant granted it.
Each event type's JSON Schema is served by the gateway at its `dataschema` URL
(`/schemas/events/<type>/v<N>.json`). Payloads carry ids and non-personal facts only; consumers must
ignore fields they do not know (types evolve additively; a breaking change is a new type version)."""


def message_key(event_type: str) -> str:
    return _KEY.sub("_", event_type)


def _model_name(model: type[EventPayload]) -> str:
    return message_key(model.event_type) + ".payload"


def _hoist(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """Move a model's `$defs` into components/schemas (refs already point there), checking that two
    models never define different schemas under one name."""
    for name, definition in schema.pop("$defs", {}).items():
        if name in schemas and schemas[name] != definition:
            raise ValueError(f"two contracts define different schemas named {name!r}; rename one")
        schemas[name] = definition
    return schema


def payload_schema(model: type[EventPayload], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = _hoist(model.model_json_schema(ref_template=SCHEMA_REF), schemas)
    schema["title"] = model.__name__
    schema["$id"] = model.dataschema()
    return schema


def _example_value(schema: Mapping[str, Any], schemas: Mapping[str, Any], name: str) -> Any:
    """A plausible value for a (pydantic-generated) schema; validated against the model afterwards."""
    if "$ref" in schema:
        return _example_value(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, name)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _example_value(options[0], schemas, name) if options else None
    kind = schema.get("type")
    if kind == "object":
        return {k: _example_value(v, schemas, k) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example_value(schema.get("items", {}), schemas, name)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return float(max(1.5, float(schema.get("minimum", 1.5))))
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "uuid":
            return str(uuid.uuid5(uuid.NAMESPACE_URL, f"improvenet:{name}"))
        if fmt == "date-time":
            return EXAMPLE_TIME
        if fmt == "date":
            return EXAMPLE_TIME[:10]
        return "example" if not schema.get("minLength") else "x" * int(schema["minLength"])
    return None


def example_payload(model: type[EventPayload], schemas: Mapping[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=SCHEMA_REF)
    value = _example_value(schema, {**schemas, **schema.get("$defs", {})}, "root")
    # Round-trip through the model: an example the model rejects would be a lie in the document.
    return model.model_validate(value).model_dump(mode="json")


def headers_schema(model: type[EventPayload]) -> dict[str, Any]:
    """The CloudEvents binary-mode headers of one message type (ce_type and ce_dataschema fixed)."""
    return {
        "type": "object",
        "required": ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_subject", "ce_time",
                     "ce_tenantid", "content-type"],
        "properties": {
            "ce_specversion": {"type": "string", "const": "1.0", "description": "CloudEvents version."},
            "ce_id": {"type": "string", "format": "uuid",
                      "description": "Unique per event; redeliveries repeat it (deduplicate on it)."},
            "ce_type": {"type": "string", "const": model.event_type},
            "ce_source": {"type": "string", "description": "The producing service, `/improvenet/<service>`."},
            "ce_subject": {"type": "string",
                           "description": f"The aggregate id (`{model.subject_field}`), also the Kafka key."},
            "ce_time": {"type": "string", "format": "date-time"},
            "ce_tenantid": {"type": "string", "description": "The tenant (district) the event belongs to."},
            "ce_dataschema": {"type": "string", "format": "uri", "const": model.dataschema()},
            "content-type": {"type": "string", "const": "application/json"},
            "traceparent": {"type": "string", "description": "W3C trace context of the writing request."},
            "tracestate": {"type": "string"},
        },
    }


def example_headers(model: type[EventPayload], payload: Mapping[str, Any]) -> dict[str, str]:
    return {
        "ce_specversion": "1.0",
        "ce_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"improvenet:event:{model.event_type}")),
        "ce_type": model.event_type,
        "ce_source": f"/improvenet/{model.event_type.split('.')[2]}",
        "ce_subject": str(payload[model.subject_field]),
        "ce_time": EXAMPLE_TIME,
        "ce_tenantid": EXAMPLE_TENANT,
        "ce_dataschema": model.dataschema(),
        "content-type": "application/json",
        "traceparent": EXAMPLE_TRACEPARENT,
    }


def _summary(model: type[EventPayload]) -> str:
    doc = (model.__doc__ or "").strip()
    if doc and model.__doc__ != EventPayload.__doc__ and not doc.startswith("!!!"):
        # Whitespace collapsed: Python 3.13 dedents docstrings, 3.11 does not; the document is the same.
        return " ".join(doc.split("\n\n")[0].split())
    return model.event_type


def build_document(registry: Mapping[str, type[EventPayload]] | None = None) -> dict[str, Any]:
    """The whole AsyncAPI 3.0 document, deterministic for a given registry."""
    registry = REGISTRY if registry is None else registry
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    by_topic: dict[str, list[str]] = {}
    for event_type, model in sorted(registry.items()):
        key = message_key(event_type)
        schemas[_model_name(model)] = payload_schema(model, schemas)
        payload = example_payload(model, schemas)
        subject = copy.deepcopy(model.model_json_schema()["properties"][model.subject_field])
        subject.pop("title", None)
        messages[key] = {
            "name": event_type,
            "title": model.__name__,
            "summary": _summary(model),
            "contentType": "application/json",
            "headers": headers_schema(model),
            "payload": {"$ref": SCHEMA_REF.format(model=_model_name(model))},
            "correlationId": {"description": "The CloudEvent id.", "location": "$message.header#/ce_id"},
            "bindings": {"kafka": {
                "key": {**({"type": "string"} if "type" not in subject else subject),
                        "description": f"The aggregate id: the payload's `{model.subject_field}`."},
                "bindingVersion": KAFKA_BINDING_VERSION}},
            "examples": [{"name": model.__name__, "summary": f"One {event_type} event.",
                          "headers": example_headers(model, payload), "payload": payload}],
            "externalDocs": {"description": "JSON Schema of the payload (served by the gateway)",
                             "url": model.dataschema()},
            "x-dataschema-path": f"{SCHEMA_PATH}/{event_type}/v{model.schema_version}.json",
            "x-schema-version": model.schema_version,
        }
        by_topic.setdefault(model.topic, []).append(key)

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic, keys in sorted(by_topic.items()):
        channel = message_key(topic)
        channels[channel] = {
            "address": topic,
            "title": topic,
            "description": f"Kafka topic `{topic}` (dead letters go to `{topic}.dlq`).",
            "messages": {k: {"$ref": f"#/components/messages/{k}"} for k in keys},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        operations[f"receive.{channel}"] = {
            "action": "receive",
            "title": f"Receive {topic}",
            "summary": f"Events on `{topic}`, in order per aggregate (the message key).",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{k}"} for k in keys],
            "bindings": {"kafka": {"groupId": {"type": "string",
                                               "description": "Your consumer group; commit after processing."},
                                   "bindingVersion": KAFKA_BINDING_VERSION}},
        }

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:org:improvenet:events",
        "info": {
            "title": "improvenet events",
            "version": DOCUMENT_VERSION,
            "description": DESCRIPTION,
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
            "externalDocs": {"description": "Partner quick start", "url": "https://improvenet.org/docs/partners"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "The platform's Kafka cluster (single-tenant installs; Strimzi KafkaUser ACLs).",
                "bindings": {"kafka": {"bindingVersion": KAFKA_BINDING_VERSION}},
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }
