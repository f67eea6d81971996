"""Every call the SDK makes exists in the merged OpenAPI document, as the gateway publishes it (built offline
from the same apps, like gateway/docs.py does): method and path template, the path's parameters by name,
an `Idempotency-Key` on each creating call, cursor parameters on each paged one."""

from __future__ import annotations

import importlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from improvenet_client import operations as ops
from improvenet_client._core import API_PREFIX

from improvenet.registry import COMPONENTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    os.environ.setdefault("DATABASE_URL", "postgresql+asyncpg://contract:check@127.0.0.1:1/postgres")
    from gateway.docs import build_document

    apps = {c.name: getattr(importlib.import_module(c.app_factory.split(":")[0]), c.app_factory.split(":")[1])()
            for c in COMPONENTS}
    scopes = {scope: text for c in COMPONENTS for scope, text in c.scopes.items()}
    service_docs = {name: app.openapi() for name, app in apps.items() if name != "gateway"}
    return build_document(apps["gateway"], json.loads(json.dumps(service_docs)), scopes)


def shape(path: str) -> str:
    """A template with its parameter names blanked: `/visits/{visit_id}` and `/visits/{id}` are one route."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def operation(document: dict[str, Any], op: ops.Operation[Any]) -> tuple[str, dict[str, Any]]:
    wanted = shape(API_PREFIX + op.path)
    for path, item in document["paths"].items():
        if shape(path) == wanted and op.method.lower() in item:
            return path, item[op.method.lower()]
    raise AssertionError(f"{op.name}: {op.method} {API_PREFIX}{op.path} is not in the merged OpenAPI document")


def test_the_sdk_registers_its_calls() -> None:
    assert len(ops.OPERATIONS) >= 40
    assert len({o.name for o in ops.OPERATIONS}) == len(ops.OPERATIONS)


@pytest.mark.parametrize("op", ops.OPERATIONS, ids=lambda o: o.name)
def test_every_sdk_call_is_in_the_merged_openapi(document: dict[str, Any], op: ops.Operation[Any]) -> None:
    path, spec = operation(document, op)
    declared = {p["name"] for p in spec.get("parameters", []) if p["in"] == "path"}
    assert declared == set(re.findall(r"\{([^}]+)\}", path))
    # the SDK fills the path by position-free names: they must be the document's names
    assert set(re.findall(r"\{([^}]+)\}", op.path)) == declared, (op.path, path)
    headers = {p["name"].lower() for p in spec.get("parameters", []) if p["in"] == "header"}
    if op.creates:
        assert "idempotency-key" in headers, f"{op.name} sends Idempotency-Key but the route ignores it"
    query = {p["name"] for p in spec.get("parameters", []) if p["in"] == "query"}
    # the SDK follows cursors exactly where the route has them
    assert op.paged == ({"page_size", "page_token"} <= query), op.name


def test_creating_routes_that_take_a_key_get_one(document: dict[str, Any]) -> None:
    """The other way round: a POST the SDK wraps whose route takes an Idempotency-Key is marked `creates`."""
    for op in ops.OPERATIONS:
        _, spec = operation(document, op)
        takes_key = any(p["in"] == "header" and p["name"].lower() == "idempotency-key"
                        for p in spec.get("parameters", []))
        if op.method == "POST" and takes_key:
            assert op.creates, f"{op.name}: mark it creates=True so retries are safe"


def test_the_token_endpoint_is_where_the_sdk_asks(document: dict[str, Any]) -> None:
    assert "post" in document["paths"]["/oauth/token"]
    flows = document["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/oauth/token"


def test_the_client_installs_alone_without_the_servers_dependencies(tmp_path: Path) -> None:
    """`pip install ./libs/client` into a fresh virtual environment: its dependencies come from the package
    index (or pip's cache), the console script runs, and nothing of the server comes along."""
    source = tmp_path / "client"
    shutil.copytree(ROOT / "libs" / "client", source, ignore=shutil.ignore_patterns("*.egg-info", "build",
                                                                                     "__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(source)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-3000:]
    shown = subprocess.run([str(venv / "bin" / "improvenet"), "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "rounds" in shown.stdout and "commitments" in shown.stdout, shown.stderr
    installed = subprocess.run([str(python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True,
                               timeout=60, check=True)
    names = {p["name"].lower() for p in json.loads(installed.stdout)}
    assert {"improvenet-client", "httpx", "typer", "rich", "plotext", "matplotlib"} <= names
    # (pydantic may come: typer 0.29 depends on it; the server's web and database stack must not)
    assert not names & {"fastapi", "sqlalchemy", "sqlmodel", "asyncpg", "starlette", "uvicorn", "alembic",
                        "improvenet"}
    # and the SDK imports in it, with nothing of the server importable
    probe = subprocess.run([str(python), "-c", "import improvenet_client, importlib.util as u; "
                            "print(all(u.find_spec(m) is None for m in ('libs', 'services', 'gateway', 'fastapi')))"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert probe.stdout.strip() == "True", probe.stderr


def dummy(annotation: str, name: str = "") -> Any:
    """An argument of the parameter's annotated type (the values do not matter: the shape of the call does,
    save a service and resource of the change queries, which pick the route)."""
    if name in ("service", "resource"):
        return {"service": "hr", "resource": "educators"}[name]
    if annotation == "bytes":
        return b"PK"
    if annotation == "bool":
        return False
    if annotation == "float":
        return 1.0
    if annotation.startswith("Callable"):
        return lambda *_: None
    if annotation.startswith(("Sequence", "list")):
        return [{}] if "Body" in annotation else ["x"]
    if annotation.startswith(("Body", "Mapping")):
        return {}
    if annotation == "int":
        return 1
    return "00000000-0000-4000-8000-000000000001"


def test_every_sdk_method_calls_a_documented_route_with_documented_parameters(document: dict[str, Any]) -> None:
    """Each public method of `Client`, called through a recording transport: its method, path and query
    parameter names are the document's (so a renamed filter fails here too, not only a renamed path)."""
    import inspect

    import httpx
    from improvenet_client import Client

    # A person's sign-in speaks OAuth at the gateway's root (/oauth/..., /identity/me), not the /api/v1
    # operations this test matches; tests/unit/client/test_person_tokens.py covers those calls.
    SIGN_IN_METHODS = ("me", "sign_out", "start_device_login", "poll_device_login")
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": [], "records": [], "access_token": "t", "expires_in": 3600,
                                         "status": "succeeded", "next_cursor": "0"})

    api = Client("http://gw.test", "cli", "secret", transport=httpx.MockTransport(record))
    methods = [name for name, fn in inspect.getmembers(Client, inspect.isfunction) if not name.startswith("_")
               and name not in ("close", "authenticate", *SIGN_IN_METHODS)]
    assert len(methods) >= 40
    for name in methods:
        fn = getattr(api, name)
        # every named parameter, optional ones too: each one the SDK turns into a query parameter is checked
        args = {p.name: dummy(str(p.annotation), p.name) for p in inspect.signature(fn).parameters.values()
                if p.kind is not inspect.Parameter.VAR_KEYWORD}
        before = len(seen)
        result = fn(**args)
        if inspect.isgenerator(result):
            list(itertools.islice(result, 3))  # a feed's follower never ends: three pages show its calls
        calls = [r for r in seen[before:] if r.url.path != "/oauth/token"]
        assert calls, f"{name} made no call"
        for request in calls:
            # the most literal match: /educators/deletes is that route, not /educators/{record_id}
            op = min((o for o in ops.OPERATIONS if o.method == request.method
                      and re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(API_PREFIX + o.path)),
                                       request.url.path)), key=lambda o: o.path.count("{"), default=None)
            assert op is not None, f"{name}: {request.method} {request.url.path} is no registered operation"
            _, spec = operation(document, op)
            declared = {p["name"] for p in spec.get("parameters", []) if p["in"] == "query"}
            assert set(request.url.params.keys()) <= declared, (name, set(request.url.params.keys()) - declared)
            if request.method in ("POST", "PUT", "PATCH"):
                assert "requestBody" in spec, f"{name} sends a body the route does not take"


def resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its `$ref` followed, and an optional (`anyOf` with null) reduced to its one other branch."""
    while True:
        if "$ref" in schema:
            node: Any = document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        elif "anyOf" in schema and len([s for s in schema["anyOf"] if s.get("type") != "null"]) == 1:
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        else:
            return schema


def typed_dict_in(annotation: Any) -> tuple[Any, bool] | None:
    """The TypedDict an annotation holds (itself, in a list, or optional) and whether it is a list's items."""
    import typing

    if typing.is_typeddict(annotation):
        return annotation, False
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is list and args and typing.is_typeddict(args[0]):
        return args[0], True
    if len(args) == 1 and typing.get_origin(annotation) is not list:
        return typed_dict_in(args[0])
    return None


def assert_fields_documented(document: dict[str, Any], model: Any, schema: dict[str, Any], where: str) -> None:
    """Every key the SDK's TypedDict reads is a property the route documents, nested models too: a field
    renamed on the server (`refresh_pending`, `next_cursor`) fails here rather than in a script."""
    import typing

    properties = resolved(document, schema).get("properties", {})
    for key, annotation in typing.get_type_hints(model).items():
        assert key in properties, f"{where}: the SDK reads {key!r}, the route documents {sorted(properties)}"
        if (inner := typed_dict_in(annotation)) is not None:
            nested, is_list = inner
            sub = resolved(document, properties[key])
            assert_fields_documented(document, nested, resolved(document, sub["items"]) if is_list else sub,
                                     f"{where}.{key}")


TYPED_ANSWERS = [ops.NETWORK_GRAPH, ops.NETWORK_GRAPH_EXPORT, ops.READ_EVENTS, ops.CREATE_SUBSCRIPTION]


@pytest.mark.parametrize("op", TYPED_ANSWERS, ids=lambda o: o.name)
def test_the_graph_and_feed_answers_the_cli_reads_are_the_documented_ones(document: dict[str, Any],
                                                                          op: ops.Operation[Any]) -> None:
    _, spec = operation(document, op)
    ok = next(code for code in ("200", "201") if code in spec["responses"])
    schema = spec["responses"][ok]["content"]["application/json"]["schema"]
    assert_fields_documented(document, op.result, schema, op.name)


def test_the_feed_is_read_with_the_documented_cursor_and_long_poll(document: dict[str, Any]) -> None:
    """`events tail` relies on these four query parameters and on `wait` being allowed the SDK's default."""
    _, spec = operation(document, ops.READ_EVENTS)
    query = {p["name"]: p for p in spec.get("parameters", []) if p["in"] == "query"}
    assert {"after", "types", "limit", "wait"} <= set(query)
    wait = resolved(document, query["wait"]["schema"])
    assert wait.get("maximum", float("inf")) >= 20.0  # follow_events' default wait
    limit = resolved(document, query["limit"]["schema"])
    from improvenet_client.cli import FEED_PAGE

    assert limit.get("maximum", float("inf")) >= FEED_PAGE
