"""The web console: a thin client of the public API, built by Vite into `gateway/console/dist` (`make
install` runs `npm ci` and `npm run build` here) and served by the gateway at `/app`.

- `/app/assets/<hashed name>`: the built files, cached for a year (their names change with their content);
- any other path under `/app` (`/app`, `/app/visits/...`, `/app/callback?code=...`): `index.html`, never
  cached, so a new build is picked up at the next load; the console routes in the browser (SPA fallback);
- no build: a 503 page that says how to build it (`make install`).

The console calls only the gateway's public API (`/api/v1/...`, `/oauth/...`, `/identity/...`), as any
other client does; it is served from the gateway's origin so it needs no CORS.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response

CONSOLE_DIR = Path(__file__).resolve().parent
DIST = CONSOLE_DIR / "dist"
PREFIX = "/app"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# The page's own policy: everything from the gateway itself, nothing from anywhere else.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>improvenet console: not built</title></head>
<body><main><h1>The web console is not built</h1>
<p>This gateway has no build of the console in <code>gateway/console/dist</code>.
To build it, run <code>make install</code> in the repository (it runs <code>npm ci</code> and
<code>npm run build</code> in <code>gateway/console</code>), then reload this page.</p>
<p>The API itself works without it: <a href="/docs">/docs</a>.</p></main></body></html>
"""


def _missing() -> HTMLResponse:
    return HTMLResponse(MISSING, status_code=503, headers={"Cache-Control": NO_CACHE, "Retry-After": "60"})


def _index(dist: Path) -> Response:
    index = dist / "index.html"
    if not index.is_file():
        return _missing()
    return FileResponse(index, media_type="text/html; charset=utf-8", headers={"Cache-Control": NO_CACHE, **HEADERS})


def _file(dist: Path, relative: str) -> Path | None:
    """A built file under `dist`, or None (never a path outside it)."""
    if not relative:
        return None
    candidate = (dist / relative).resolve()
    if dist.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def console_router(dist: Path = DIST) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(PREFIX)
    async def console_root() -> Response:
        return _index(dist)

    @router.get(PREFIX + "/{path:path}")
    async def console_path(path: str) -> Response:
        found = _file(dist, path)
        if found is None:
            if path.startswith("assets/") and (dist / "index.html").is_file():
                # a hashed asset of another build: 404, not index.html (a script must not get HTML)
                return Response("not found", status_code=404, media_type="text/plain",
                                headers={"Cache-Control": NO_CACHE})
            return _index(dist)
        if found.name == "index.html":
            return _index(dist)
        media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        cache = IMMUTABLE if path.startswith("assets/") else NO_CACHE
        return FileResponse(found, media_type=media_type, headers={"Cache-Control": cache, **HEADERS})

    return router


def mount_console(app: FastAPI, dist: Path = DIST) -> None:
    """Serve the console at `/app` (the proxy's catch-all is under `/api/v1`, so the order does not matter)."""
    app.include_router(console_router(dist))
