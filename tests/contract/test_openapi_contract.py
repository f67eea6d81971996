"""The merged OpenAPI document is a contract a district can generate a client from.

Built offline from the same apps the platform runs (gateway/docs.py `build_document`): it validates
(openapi-spec-validator), passes Spectral's OAS ruleset with our rules (tests/contract/openapi_lint/
.spectral.yaml), and openapi-python-client generates a client from it with no warning and no schema
dropped. The tools run in their own virtual environment and npm folder (openapi-python-client pins a
typer older than ours); both are installed on first use, never skipped.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from improvenet.registry import COMPONENTS

ROOT = Path(__file__).resolve().parents[2]
LINT_DIR = Path(__file__).with_name("openapi_lint")
CACHE = Path(os.environ.get("IMPROVENET_CACHE", Path.home() / ".cache" / "improvenet"))
TOOLS = ["openapi-python-client==0.29.1", "openapi-spec-validator==0.9.0"]
TOOLS_VENV = CACHE / ("openapi-tools-" + "-".join(t.split("==")[1] for t in TOOLS))
OPERATION_ID = re.compile(r"^(gateway|hr|observations|networks|strategy)\.[a-z][A-Za-z0-9]*$")


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    os.environ.setdefault("DATABASE_URL", "postgresql+asyncpg://contract:check@127.0.0.1:1/postgres")
    from gateway.docs import build_document

    apps = {c.name: _app(c.app_factory) for c in COMPONENTS}
    scopes = {scope: text for c in COMPONENTS for scope, text in c.scopes.items()}
    service_docs = {name: app.openapi() for name, app in apps.items() if name != "gateway"}
    return build_document(apps["gateway"], json.loads(json.dumps(service_docs)), scopes)


def _app(factory: str) -> Any:
    module, name = factory.split(":")
    return getattr(importlib.import_module(module), name)()


@pytest.fixture(scope="module")
def document_file(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(json.dumps(document, indent=1))
    return path


def tools_python() -> Path:
    python = TOOLS_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS_VENV)], check=True)
        result = subprocess.run([str(python), "-m", "pip", "install", "-q", *TOOLS], capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(TOOLS_VENV, ignore_errors=True)
        assert result.returncode == 0, f"installing {TOOLS} failed: {result.stderr[-2000:]}"
    return python


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in document["paths"].items() for method, op in item.items()
            if method in ("get", "put", "post", "delete", "patch")]


def test_every_operation_is_named_described_and_secured(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) > 150 and len(set(ids)) == len(ids), "operation ids are unique"
    assert [i for i in ids if not OPERATION_ID.match(i)] == [], "ids are <service>.<verbResource>"
    assert "hr.createEducator" in ids
    scopes = set(document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"])
    for method, path, op in operations(document):
        where = f"{method.upper()} {path}"
        assert op.get("summary"), f"{where} has no summary"
        for requirement in op.get("security", []):
            assert set(requirement) == {"oauth2"}, where
            assert set(requirement["oauth2"]) <= scopes, (where, requirement)
    create = document["paths"]["/api/v1/hr/educators"]["post"]
    assert create["security"] == [{"oauth2": ["hr:write"]}], create["security"]


def test_every_error_is_a_problem_and_every_status_is_documented(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "Problem" in schemas
    for method, path, op in operations(document):
        where = f"{method.upper()} {path}"
        for code, response in op["responses"].items():
            if code.isdigit() and int(code) >= 400:
                assert response["content"] == {"application/problem+json": {"schema": {
                    "$ref": "#/components/schemas/Problem"}}}, (where, code)
        if op.get("security"):
            assert {"401", "403"} <= set(op["responses"]), where
        if path.startswith("/api/v1/") and not path.startswith(("/api/v1/admin", "/api/v1/audit", "/api/v1/exports",
                                                                "/api/v1/partners", "/api/v1/events")):
            assert {"429", "502", "503", "504"} <= set(op["responses"]), where
        takes_if_match = any(p["name"] == "If-Match" for p in op.get("parameters", []))
        assert ({"412", "428"} <= set(op["responses"])) == takes_if_match, where
    patch = document["paths"]["/api/v1/hr/educators/{record_id}"]["patch"]
    if_match = next(p for p in patch["parameters"] if p["name"] == "If-Match")
    assert if_match["required"] is True
    assert "ETag" in patch["responses"]["200"]["headers"]
    assert "Location" in document["paths"]["/api/v1/hr/educators"]["post"]["responses"]["201"]["headers"]


def test_component_names_and_titles_are_unique(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    titles = [s.get("title") for s in schemas.values() if s.get("title")]
    duplicates = sorted({t for t in titles if titles.count(t) > 1})
    assert duplicates == [], f"a generator would merge or drop these: {duplicates}"


def test_the_document_validates(document_file: Path) -> None:
    python = tools_python()
    result = subprocess.run([str(python), "-m", "openapi_spec_validator", str(document_file)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "OK" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]


def test_spectral_finds_nothing_with_our_ruleset(document_file: Path) -> None:
    npm, node = shutil.which("npm"), shutil.which("node")
    assert npm and node, "node and npm are needed to run Spectral"
    spectral = LINT_DIR / "node_modules" / ".bin" / "spectral"
    if not spectral.exists():
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=LINT_DIR, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, f"npm ci failed: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    result = subprocess.run([str(spectral), "lint", "--ruleset", str(LINT_DIR / ".spectral.yaml"),
                             "--fail-severity", "warn", "--format", "text", str(document_file)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"Spectral:\n{result.stdout[-6000:]}{result.stderr[-2000:]}"


def test_a_client_generates_with_no_warning(document_file: Path, tmp_path: Path) -> None:
    python = tools_python()
    result = subprocess.run([str(python), "-m", "openapi_python_client", "generate", "--path", str(document_file),
                             "--output-path", str(tmp_path / "client"), "--meta", "none",
                             "--config", str(LINT_DIR / "openapi-python-client.yaml")],
                            capture_output=True, text=True, timeout=600, cwd=tmp_path,
                            # its post-hooks format the client with ruff: ours, from this venv
                            env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "Warning" not in output and "WARNING" not in output, output[-6000:]
    models = {p.stem for p in (tmp_path / "client" / "models").glob("*.py")}
    assert "problem" in models and "hr_educator_public" in models, sorted(models)[:50]
    api = tmp_path / "client" / "api"
    assert (api / "hr" / "hr_create_educator.py").exists() or any(api.rglob("*create_educator*.py")), \
        sorted(str(p.relative_to(api)) for p in api.rglob("*.py"))[:40]


def bodies(operation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The operation's request body and its success responses, as (where, body)."""
    found = [("request", operation["requestBody"])] if "requestBody" in operation else []
    return found + [(code, r) for code, r in operation["responses"].items() if code.startswith("2")]


def test_every_request_and_success_body_shows_an_example(document: dict[str, Any]) -> None:
    """Each JSON body has an example (the model's, or one composed from its fields: libs/common/
    openapi_examples.py); Spectral's oas3-valid-media-example checks each against its schema."""
    missing = [f"{op['operationId']} {where}: {media.get('schema')}" for _m, _p, op in operations(document)
               for where, body in bodies(op) for media_type, media in body.get("content", {}).items()
               if "json" in media_type and not ({"example", "examples"} & set(media))]
    assert not missing, f"{len(missing)} bodies without an example:\n" + "\n".join(missing)


def test_every_request_example_is_accepted_by_its_model() -> None:
    """The schema cannot say everything a model checks (validators, cross-field rules): each request
    example must pass the very model the route validates with."""
    from fastapi.routing import APIRoute, iter_route_contexts  # as FastAPI's own get_openapi walks them
    from pydantic import TypeAdapter

    os.environ.setdefault("DATABASE_URL", "postgresql+asyncpg://contract:check@127.0.0.1:1/postgres")
    checked, refused = 0, []
    for component in COMPONENTS:
        app = _app(component.app_factory)
        paths = app.openapi()["paths"]
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or route.body_field is None or not route.include_in_schema:
                continue
            for method in route.methods:
                operation = paths[context.path_format][method.lower()]
                for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                    if "json" not in media_type or "example" not in media:
                        continue
                    checked += 1
                    try:
                        TypeAdapter(route.body_field.field_info.annotation).validate_python(media["example"])
                    except ValueError as exc:
                        refused.append(f"{operation['operationId']}: {exc}")
    assert checked > 50, f"only {checked} request examples found"
    assert not refused, "\n".join(refused)
