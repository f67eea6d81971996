"""The AsyncAPI 3.0 document partners code against: generated from the contracts, committed without
drift, complete (every type, headers, Kafka key, examples) and valid for the real AsyncAPI parser."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from libs.contracts import REGISTRY
from libs.contracts.__main__ import ASYNCAPI_FILE, asyncapi_text
from libs.contracts._asyncapi import build_document, message_key

PARSER_DIR = Path(__file__).resolve().parent / "asyncapi_parser"
PERSONAL = ("given_name", "family_name", "email", "staff_unique_id", "teacher_id", "text", "name_of")


def committed() -> dict[str, Any]:
    return json.loads(ASYNCAPI_FILE.read_text())  # type: ignore[no-any-return]


def test_committed_document_matches_the_contracts() -> None:
    assert ASYNCAPI_FILE.read_text() == asyncapi_text(), "run `make schemas` and commit libs/contracts/asyncapi.json"


def test_every_event_type_is_a_message_on_its_topic_channel() -> None:
    doc = build_document()
    messages = doc["components"]["messages"]
    assert {m["name"] for m in messages.values()} == set(REGISTRY)
    assert {c["address"] for c in doc["channels"].values()} == {m.topic for m in REGISTRY.values()}
    for event_type, model in REGISTRY.items():
        key = message_key(event_type)
        channel = doc["channels"][message_key(model.topic)]
        assert channel["messages"][key] == {"$ref": f"#/components/messages/{key}"}
        assert channel["bindings"]["kafka"]["topic"] == model.topic
        message = messages[key]
        headers = message["headers"]["properties"]
        for header in ("ce_specversion", "ce_id", "ce_type", "ce_source", "ce_subject", "ce_time", "ce_tenantid",
                       "ce_dataschema", "traceparent"):
            assert header in headers, (event_type, header)
        assert headers["ce_type"]["const"] == event_type
        assert headers["ce_dataschema"]["const"] == model.dataschema()
        assert model.subject_field in message["bindings"]["kafka"]["key"]["description"]
        # the payload reference resolves to the model's own schema
        ref = message["payload"]["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][ref]
        assert set(schema["properties"]) == set(model.model_fields)
        assert schema["$id"] == model.dataschema()
        # the example is a valid payload, keyed like the real messages
        (example,) = message["examples"]
        model.model_validate(example["payload"])
        assert example["headers"]["ce_subject"] == str(example["payload"][model.subject_field])
        assert example["headers"]["ce_type"] == event_type
        for personal in PERSONAL:
            assert personal not in schema["properties"], (event_type, personal)
    # operations: one receive per channel, each referencing only its channel's messages
    for name, op in doc["operations"].items():
        channel = op["channel"]["$ref"].rsplit("/", 1)[-1]
        assert op["action"] == "receive" and name == f"receive.{channel}"
        assert all(m["$ref"].startswith(f"#/channels/{channel}/messages/") for m in op["messages"])


def test_every_internal_reference_resolves() -> None:
    doc = committed()

    def resolve(ref: str) -> Any:
        node: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node

    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert len(refs) > 3 * len(REGISTRY)
    for ref in refs:
        assert ref.startswith("#/"), ref
        resolve(ref)  # KeyError when dangling


def parser_ready() -> Path:
    """The real AsyncAPI parser from npm: installed from package-lock.json when missing; never skipped."""
    npm, node = shutil.which("npm"), shutil.which("node")
    assert npm and node, "node and npm are needed to validate the AsyncAPI document with @asyncapi/parser"
    if not (PARSER_DIR / "node_modules" / "@asyncapi" / "parser").is_dir():
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PARSER_DIR, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, f"npm ci failed: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return Path(node)


def run_parser(node: Path, document: dict[str, Any], tmp_path: Path) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(document))
    result = subprocess.run([str(node), "validate.mjs", str(path)], cwd=PARSER_DIR, capture_output=True, text=True,
                            timeout=120)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, result.stdout[-2000:] + result.stderr[-2000:]
    return result.returncode, json.loads(lines[-1])


@pytest.fixture(scope="module")
def node() -> Path:
    return parser_ready()


def test_the_asyncapi_parser_accepts_the_document(node: Path, tmp_path: Path) -> None:
    code, report = run_parser(node, committed(), tmp_path)
    assert code == 0 and report["errors"] == [], report["errors"]
    assert report["parsed"] and report["version"] == "3.0.0"
    assert set(report["channels"]) == {m.topic for m in REGISTRY.values()}
    assert set(report["messages"]) == set(REGISTRY)
    assert report["operations"] == len(report["channels"])


def test_the_parser_really_validates(node: Path, tmp_path: Path) -> None:
    """A broken document is refused: the acceptance above is the parser's judgement, not a formality."""
    broken = copy.deepcopy(committed())
    first = next(iter(broken["channels"].values()))
    first["messages"]["dangling"] = {"$ref": "#/components/messages/no-such-message"}
    broken["operations"]["receive.x"] = {"action": "listen", "channel": {"$ref": "#/channels/nowhere"}}
    code, report = run_parser(node, broken, tmp_path)
    assert code == 1 and report["errors"], report
