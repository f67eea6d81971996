"""Examples in the API document: every request and response body shows one.

A model declares its own example (`model_config = ConfigDict(json_schema_extra={"examples": [...]})`), or
its fields do (`Field(examples=[...])`); a model without one gets an example composed from its properties:
their examples, defaults, enums and formats, and the examples of the models they reference. Composing is
written here because no library does it faithfully for OpenAPI 3.1 schemas (hypothesis-jsonschema makes
random valid values, not readable ones). A required free-text field with nothing to go by gives no example:
the contract test then names the model and the field, rather than showing a meaningless "string".

Ids are stable per property name (the same `school_id` in every example), so examples read together.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

NAMESPACE = uuid.UUID("6f1c2d4e-8a9b-4c3d-9e7f-102030405060")
BY_FORMAT: dict[str, Any] = {
    "date": "2026-09-14",
    "date-time": "2026-09-14T08:30:00Z",
    "email": "a.okafor@example.org",
    "uri": "https://api.improvenet.example.org/api/v1",
    "binary": "",
    "duration": "P30D",
}
UNKNOWN = object()  # no example can be made


def example_id(name: str) -> str:
    """A stable uuid for a property (or a schema's own `id`)."""
    return str(uuid.uuid5(NAMESPACE, name))


def compose_examples(schemas: dict[str, dict[str, Any]]) -> None:
    """Give each component schema without `examples` one composed from its properties, where possible;
    put back the nulls FastAPI took out of the declared ones."""
    for schema in schemas.values():
        for example in schema.get("examples", []) if isinstance(schema.get("examples"), list) else []:
            restore_nulls(example, schema, schemas)
    composer = _Composer(schemas)
    for name in list(schemas):
        composer.of_component(name)


def restore_nulls(value: Any, schema: dict[str, Any], schemas: dict[str, dict[str, Any]], depth: int = 0) -> None:
    """FastAPI writes the document with `exclude_none`, which also drops the `null` members of examples:
    a required nullable field (`"revoked_at": null`) goes missing and the example no longer validates.
    Put each back, in place, as the schema says (references, arrays and unions followed)."""
    if depth > 20:
        return
    if "$ref" in schema:
        target = schemas.get(schema["$ref"].rsplit("/", 1)[-1])
        if target is not None:
            restore_nulls(value, target, schemas, depth + 1)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            restore_nulls(value, branch, schemas, depth + 1)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            restore_nulls(item, schema["items"], schemas, depth + 1)
    if not isinstance(value, dict) or "properties" not in schema:
        return
    for prop, sub in schema["properties"].items():
        if prop in value:
            restore_nulls(value[prop], sub, schemas, depth + 1)
        elif prop in schema.get("required", []) and _nullable(sub, schemas):
            value[prop] = None


def _nullable(schema: dict[str, Any], schemas: dict[str, dict[str, Any]]) -> bool:
    if "$ref" in schema:
        return _nullable(schemas.get(schema["$ref"].rsplit("/", 1)[-1], {}), schemas)
    kind = schema.get("type")
    return kind == "null" or (isinstance(kind, list) and "null" in kind) or \
        any(_nullable(b, schemas) for b in schema.get("anyOf", []) + schema.get("oneOf", []))


def example_of(schema: dict[str, Any], schemas: dict[str, dict[str, Any]]) -> Any:
    """The example for a body's schema (a reference, an array of one, ...); None when there is none."""
    value = _Composer(schemas).of(schema, "body")
    return None if value is UNKNOWN else value


class _Composer:
    def __init__(self, schemas: dict[str, dict[str, Any]]) -> None:
        self.schemas = schemas
        self.visiting: list[str] = []

    def of_component(self, name: str) -> Any:
        schema = self.schemas.get(name)
        if schema is None:
            return UNKNOWN
        if schema.get("examples"):
            return schema["examples"][0]
        if name in self.visiting:  # a recursive model: the inner one is left out
            return UNKNOWN
        self.visiting.append(name)
        try:
            value = self.of(schema, name, own=True)
        finally:
            self.visiting.pop()
        if value is not UNKNOWN:
            schema["examples"] = [value]
        return value

    def of(self, schema: dict[str, Any], name: str, *, own: bool = False) -> Any:
        if "$ref" in schema:
            return self.of_component(schema["$ref"].rsplit("/", 1)[-1])
        if not own and schema.get("examples"):
            return schema["examples"][0]
        for key in ("example", "const"):
            if key in schema:
                return schema[key]
        if "default" in schema:
            return schema["default"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                return self._first_of(schema[key], name)
        kind = schema.get("type")
        if isinstance(kind, list):
            concrete = [k for k in kind if k != "null"]
            return self.of({**schema, "type": concrete[0]}, name) if concrete else None
        if "properties" in schema:
            return self._object(schema)
        if kind == "object":
            return UNKNOWN  # a free-form map: an empty one would show nothing
        if kind == "array":
            item = self.of(schema.get("items", {}), name)
            return UNKNOWN if item is UNKNOWN else [item]  # an empty list would show nothing
        return self._scalar(schema, name, kind)

    def _first_of(self, branches: list[dict[str, Any]], name: str) -> Any:
        values = [self.of(b, name) for b in branches if b.get("type") != "null"]
        known = [v for v in values if v is not UNKNOWN]
        if known:
            return known[0]
        return None if any(b.get("type") == "null" for b in branches) else UNKNOWN

    def _object(self, schema: dict[str, Any]) -> Any:
        required = set(schema.get("required", []))
        value: dict[str, Any] = {}
        for prop, sub in schema.get("properties", {}).items():
            item = self.of(sub, self._own_id() if prop == "id" else prop)
            if item is UNKNOWN:
                if prop in required:
                    return UNKNOWN
                continue
            value[prop] = item
        return value

    def _own_id(self) -> str:
        """`id` of EducatorPublic is the `educator_id` of every other example."""
        model = self.visiting[-1] if self.visiting else "object"
        model = re.sub(r"(Public|Out|Summary|Detail|Read|-Output|-Input)$", "", model)
        return re.sub(r"(?<!^)(?=[A-Z])", "_", model).lower() + "_id"

    @staticmethod
    def _scalar(schema: dict[str, Any], name: str, kind: Any) -> Any:
        fmt = schema.get("format")
        if fmt == "uuid":
            return example_id(name)
        if fmt in BY_FORMAT:
            return BY_FORMAT[fmt]
        if kind == "boolean":
            return False
        if kind in ("integer", "number"):
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + (1 if kind == "integer" else 0.5))
            return low if kind == "number" else int(low)
        return UNKNOWN  # free text: only the model or the field can say what is meant
