"""`/docs` works offline: headless Chromium renders every operation with the network namespace cut.

How the network is cut: the test runs one child process under `unshare --net` (it is root, as in CI).
The child gets a network namespace of its own in which only the loopback interface exists (it brings
`lo` up: no other interface, no route, so nothing can leave the machine, a CDN least of all). Inside it,
the child starts the platform exactly as `make up` does (embedded PostgreSQL, the gateway, the four
services and their workers, on free loopback ports) and drives Debian's Chromium with Playwright
(`executable_path=/usr/bin/chromium`; Playwright's own browsers are never downloaded). Browser and
platform share that namespace's loopback and nothing else. The child checks the namespace really has
no other interface, then reports what the page rendered as JSON; the assertions run here.

Chromium missing is installed (`apt-get install chromium`, as `.ci/run` does); if it cannot be
installed or launched, the test fails: it never skips.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from improvenet.launcher import ROOT

CHROMIUM = "/usr/bin/chromium"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def ensure_chromium() -> None:
    if not os.access(CHROMIUM, os.X_OK):
        subprocess.run(["apt-get", "update", "-qq"], check=False, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, timeout=900,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing and `apt-get install chromium` did not provide it"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; fails on anything that is not a PNG."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR", f"{path} has no IHDR chunk"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- what runs inside the cut namespace -------------------------------------------------------------------

def interfaces() -> list[str]:
    return sorted(name for _, name in socket.if_nameindex())


def inside(work: str) -> None:
    """Run in the child, inside `unshare --net`: platform up, browser over it, results to work/result.json."""
    from playwright.sync_api import sync_playwright

    from improvenet.launcher import LaunchConfig, Platform
    from improvenet.registry import SERVICE_NAMES
    from libs.common.testing.kafka_broker import free_port

    out = Path(work)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    result: dict[str, Any] = {"interfaces": interfaces(), "routes": subprocess.run(
        ["ip", "-4", "route", "show"], capture_output=True, text=True, check=True).stdout.strip()}
    ports = {name: free_port() for name in ("gateway", *SERVICE_NAMES)}
    platform = Platform(LaunchConfig(state_dir=out / ".improvenet", ports=ports))
    platform.prepare()
    platform.start()
    try:
        platform.wait_ready(timeout=150)
        base = platform.gateway_url
        import httpx

        document = httpx.get(f"{base}/openapi.json", timeout=60).json()
        methods = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
        result["operations"] = sum(1 for item in document["paths"].values() for method in item if method in methods)
        # Swagger UI shows an operation once under each of its tags.
        result["tagged_operations"] = sum(max(1, len(op.get("tags") or [])) for item in document["paths"].values()
                                          for method, op in item.items() if method in methods)
        # OpenAPI 3.1 webhooks (what partners receive) are rendered as operations too.
        result["webhooks"] = sum(1 for item in document.get("webhooks", {}).values() for m in item if m in methods)
        result["security_schemes"] = sorted(document.get("components", {}).get("securitySchemes", {}))
        creds = json.loads(platform.bootstrap_client_file.read_text())
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            requested: list[str] = []
            failed: list[str] = []
            page.on("request", lambda r: requested.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(f"{base}/docs", wait_until="networkidle", timeout=120_000)
            page.wait_for_selector(".opblock", timeout=120_000)
            result["opblocks"] = page.locator(".opblock").count()
            result["title"] = page.locator(".information-container .title").first.inner_text()
            page.screenshot(path=str(out / "docs.png"))
            result["authorize"] = authorize(page, creds["client_id"], creds["client_secret"])
            page.goto(f"{base}/redoc", wait_until="networkidle", timeout=120_000)
            page.wait_for_selector("[data-section-id^='tag/'], [data-section-id^='operation/']", timeout=120_000)
            result["redoc_operations"] = page.locator("[data-section-id^='operation/']").count()
            page.screenshot(path=str(out / "redoc.png"))
            page.goto(f"{base}/problems/stale-version", wait_until="load")
            result["problem_page"] = {"title": page.locator("#title").inner_text(),
                                      "action": page.locator("#action").inner_text()}
            browser.close()
        result["requested_hosts"] = sorted({u.split("/")[2] for u in requested if u.startswith("http")})
        result["failed_requests"] = failed
        result["gateway_host"] = base.split("/")[2]
    finally:
        platform.stop()
    (out / "result.json").write_text(json.dumps(result, indent=1))


def authorize(page: Any, client_id: str, client_secret: str) -> dict[str, Any]:
    """Swagger UI's Authorize dialog, client credentials flow: fill the client, authorize, and see what
    Swagger UI says (it posts to /oauth/token itself)."""
    page.click("button.authorize")
    page.wait_for_selector(".modal-ux", timeout=30_000)
    # The dialog lists every scheme (the services' bearer too): work in the OAuth2 one only.
    oauth2 = page.locator(".modal-ux .auth-container", has=page.locator("input[id^='client_id']"))
    oauth2.locator("input[id^='client_id']").fill(client_id)
    oauth2.locator("input[id^='client_secret']").fill(client_secret)
    with page.expect_response(lambda r: r.url.endswith("/oauth/token"), timeout=30_000) as token:
        oauth2.locator(".auth-btn-wrapper button.authorize").click()
    # Authorized, the form's inputs give way to the granted client: only that scheme has a Logout now.
    page.locator(".modal-ux .auth-btn-wrapper button:has-text('Logout')").wait_for(timeout=30_000)
    errors = page.locator(".modal-ux .errors").all_inner_texts()
    page.click(".modal-ux button.close-modal")
    return {"token_status": token.value.status, "errors": errors,
            "locked_operations": page.locator(
                ".opblock button.authorization__btn[aria-label='authorization button locked']").count()}


# --- the test -----------------------------------------------------------------------------------------

def test_docs_render_every_operation_with_the_network_cut(tmp_path: Path) -> None:
    ensure_chromium()
    assert shutil.which("unshare") and shutil.which("ip"), "unshare (util-linux) and ip (iproute2) are needed"
    code = f"from tests.e2e.test_docs_browser import inside; inside({str(tmp_path)!r})"
    t0 = time.monotonic()
    run = subprocess.run(["unshare", "--net", "--", sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, f"the child failed ({run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}"
    result = json.loads((tmp_path / "result.json").read_text())
    print(f"docs in a cut namespace: {result['opblocks']} operations rendered in {time.monotonic() - t0:.0f}s")

    # The namespace had loopback only: no way to a CDN or anywhere else.
    assert result["interfaces"] == ["lo"], result["interfaces"]
    assert "default" not in result["routes"], result["routes"]
    # Every operation of the merged document is rendered, and the page fetched nothing but the gateway.
    assert result["operations"] > 50, result["operations"]
    assert result["opblocks"] == result["tagged_operations"] + result["webhooks"], result
    assert result["title"].startswith("improvenet"), result["title"]
    assert result["requested_hosts"] == [result["gateway_host"]], result["requested_hosts"]
    assert result["failed_requests"] == [], result["failed_requests"]
    assert result["redoc_operations"] == result["tagged_operations"] + result["webhooks"], result
    # The Authorize dialog fetched a token with the bootstrap client's credentials.
    assert "oauth2" in result["security_schemes"], result["security_schemes"]
    assert result["authorize"]["token_status"] == 200 and result["authorize"]["errors"] == [], result["authorize"]
    assert result["authorize"]["locked_operations"] > 0, result["authorize"]
    # A problem type resolves to its page.
    assert result["problem_page"]["title"] == "Precondition failed"
    assert "ETag" in result["problem_page"]["action"]
    # The screenshots are real PNGs of the rendered pages.
    for name in ("docs.png", "redoc.png"):
        width, height = png_size(tmp_path / name)
        assert (width, height) == (1280, 1600), (name, width, height)
        assert (tmp_path / name).stat().st_size > 20_000, f"{name} is suspiciously small (a blank page?)"
