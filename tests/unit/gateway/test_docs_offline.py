"""The documentation pages use only assets the gateway serves itself; every problem type the code can
raise has a page; a problem's `instance` is the path the client called."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway import docs
from libs.common.problems import PROBLEM_BASE, Problem, install_problem_handlers

ROOT = Path(__file__).resolve().parents[3]
# Helpers that build a problem from a slug they are given as a positional argument: (position, to slug).
INDIRECT = {"token_error": (1, lambda s: s.replace("_", "-")), "_conflict": (2, lambda s: s)}


def docs_app() -> TestClient:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    install_problem_handlers(app)
    app.include_router(docs.router)
    return TestClient(app)


def raised_slugs() -> dict[str, str]:
    """slug -> where it is raised, from the source of every component (string literals only)."""
    out: dict[str, str] = {}
    for folder in ("libs", "services", "gateway", "improvenet"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                slugs = [k.value.value for k in node.keywords
                         if k.arg == "slug" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]
                if name in INDIRECT:
                    position, to_slug = INDIRECT[name]
                    arg = node.args[position] if len(node.args) > position else None
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        slugs.append(to_slug(arg.value))
                for slug in slugs:
                    out.setdefault(slug, f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def test_swagger_ui_and_redoc_load_nothing_from_elsewhere() -> None:
    client = docs_app()
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
        assert sources, page
        assert all(s.startswith("/") for s in sources), (page, sources)
        assert "googleapis" not in html and "cdn." not in html, page
    swagger = client.get("/docs").text
    assert "ui.initOAuth(" in swagger and '"appName": "improvenet"' in swagger
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in swagger
    assert client.get("/docs/oauth2-redirect").status_code == 200


def test_every_asset_the_pages_name_is_served_and_nothing_else() -> None:
    client = docs_app()
    named = set(re.findall(r'/docs/assets/([\w.-]+)', client.get("/docs").text + client.get("/redoc").text))
    assert named == set(docs.ASSETS), named
    for name, media_type in docs.ASSETS.items():
        r = client.get(f"/docs/assets/{name}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(media_type), name
        assert len(r.content) > 1000, name
    assert "5." in client.get("/docs/assets/swagger-ui-bundle.js").text[:2_000_000]  # Swagger UI 5 renders OAS 3.1
    for name in docs.ASSETS:  # no asset names a URL elsewhere that a browser would fetch (ReDoc's logo did)
        assert b"https://cdn." not in client.get(f"/docs/assets/{name}").content, name
    missing = client.get("/docs/assets/..%2Fcore.py")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_every_problem_type_raised_anywhere_has_a_page() -> None:
    raised = raised_slugs()
    catalogue = docs.problem_catalogue()
    assert len(raised) > 50, len(raised)  # the scan finds the code's problems
    missing = {slug: where for slug, where in raised.items() if slug not in catalogue}
    assert not missing, f"add these to gateway/static/problems.json: {missing}"
    for slug, entry in catalogue.items():
        assert set(entry) == {"title", "status", "meaning", "action"}, slug
        assert all(400 <= s < 600 for s in entry["status"]) and entry["meaning"] and entry["action"], slug


def test_a_problem_type_resolves_to_its_page_and_an_unknown_one_is_404() -> None:
    client = docs_app()
    page = client.get(PROBLEM_BASE + "stale-version")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<h1 id="title">Precondition failed</h1>' in page.text and '<span id="status">412</span>' in page.text
    index = client.get("/problems").text
    assert index.count('<li><a href="/problems/') == len(docs.problem_catalogue())
    unknown = client.get("/problems/no-such-type")
    assert unknown.status_code == 404 and unknown.json()["type"] == PROBLEM_BASE + "not-found"


def test_a_problem_names_the_public_path_the_client_called() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/educators/{educator_id}")
    async def read(educator_id: str) -> None:
        raise Problem(404, "Not found", "educator not found", slug="not-found")

    client = TestClient(app)
    through_gateway = client.get("/educators/e-1", headers={"X-Forwarded-Prefix": "/api/v1/hr"}).json()
    assert through_gateway["instance"] == "/api/v1/hr/educators/e-1"
    assert through_gateway["type"] == "/problems/not-found"
    assert client.get("/educators/e-1").json()["instance"] == "/educators/e-1"  # called directly
    invalid = client.get("/nowhere", headers={"X-Forwarded-Prefix": "/api/v1/hr"}).json()
    assert invalid["instance"] == "/api/v1/hr/nowhere"
