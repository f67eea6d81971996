"""Composing examples for the API document from what the schemas say (libs/common/openapi_examples.py)."""

from __future__ import annotations

from typing import Any

from libs.common.openapi_examples import compose_examples, example_id, example_of, restore_nulls


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_a_model_is_composed_from_formats_enums_defaults_and_the_models_it_references() -> None:
    schemas: dict[str, dict[str, Any]] = {
        "SchoolPublic": {"type": "object", "required": ["id", "name"], "properties": {
            "id": {"type": "string", "format": "uuid"}, "name": {"type": "string", "examples": ["Alder Creek"]}}},
        "VisitPublic": {"type": "object", "required": ["id", "school", "status", "on", "size"], "properties": {
            "id": {"type": "string", "format": "uuid"}, "school": ref("SchoolPublic"),
            "status": {"type": "string", "enum": ["planned", "done"]}, "on": {"type": "string", "format": "date"},
            "size": {"type": "integer", "minimum": 2}, "late": {"type": "boolean", "default": True},
            "school_id": {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]}}},
    }
    compose_examples(schemas)
    assert schemas["VisitPublic"]["examples"] == [{
        "id": example_id("visit_id"), "school": {"id": example_id("school_id"), "name": "Alder Creek"},
        "status": "planned", "on": "2026-09-14", "size": 2, "late": True, "school_id": example_id("school_id")}]
    # the school's own id and a visit's school_id are the same example id: examples read together
    assert schemas["VisitPublic"]["examples"][0]["school"]["id"] == schemas["VisitPublic"]["examples"][0]["school_id"]


def test_free_text_is_never_invented() -> None:
    schemas: dict[str, dict[str, Any]] = {
        "Note": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
        "Optional": {"type": "object", "properties": {"text": {"type": "string"}, "n": {"type": "integer"}}},
        "Notes": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array",
                                                                                  "items": ref("Note")}}},
        "Map": {"type": "object", "additionalProperties": {"type": "integer"}},
    }
    compose_examples(schemas)
    assert "examples" not in schemas["Note"]  # a required free-text field: no example, the test names it
    assert "examples" not in schemas["Notes"]  # and what holds it: never an empty list standing for one
    assert "examples" not in schemas["Map"]
    assert schemas["Optional"]["examples"] == [{"n": 1}]  # an optional one is left out
    assert example_of({"type": "array", "items": ref("Note")}, schemas) is None


def test_a_declared_example_wins_and_a_recursive_model_ends() -> None:
    schemas: dict[str, dict[str, Any]] = {
        "Driver": {"type": "object", "required": ["label"], "properties": {
            "label": {"type": "string", "examples": ["Discourse"]},
            "children": {"type": "array", "items": ref("Driver")}}},
        "Own": {"type": "object", "properties": {"a": {"type": "integer"}}, "examples": [{"a": 7}]},
    }
    compose_examples(schemas)
    assert schemas["Own"]["examples"] == [{"a": 7}]
    assert schemas["Driver"]["examples"] == [{"label": "Discourse"}]
    assert example_of({"type": "array", "items": ref("Own")}, schemas) == [{"a": 7}]


def test_the_nulls_fastapi_drops_are_put_back_where_the_schema_requires_them() -> None:
    schemas: dict[str, dict[str, Any]] = {
        "Client": {"type": "object", "required": ["id", "revoked_at", "schools"], "properties": {
            "id": {"type": "string"}, "revoked_at": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "schools": {"type": ["array", "null"], "items": {"type": "string"}},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}}},
    }
    page = {"items": [{"id": "c1"}, {"id": "c2", "revoked_at": "2026-10-01T00:00:00Z"}]}
    restore_nulls(page, {"type": "object", "properties": {"items": {"type": "array", "items": ref("Client")}}},
                  schemas)
    assert page["items"] == [{"id": "c1", "revoked_at": None, "schools": None},
                             {"id": "c2", "revoked_at": "2026-10-01T00:00:00Z", "schools": None}]
    assert "note" not in page["items"][0]  # optional: absent is as good as null
