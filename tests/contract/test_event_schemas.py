"""The published JSON Schemas are what partners code against: they must match the payload models."""

from __future__ import annotations

import json
from pathlib import Path

from libs.contracts import REGISTRY
from libs.contracts.__main__ import schema_documents

SCHEMAS = Path(__file__).resolve().parents[2] / "libs" / "contracts" / "schemas"


def test_committed_schemas_match_the_models() -> None:
    committed = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    assert committed == schema_documents(), "run `make schemas` and commit the result"


def test_every_registered_type_has_a_schema_file() -> None:
    assert {p.stem for p in SCHEMAS.glob("*.json")} == set(REGISTRY)
