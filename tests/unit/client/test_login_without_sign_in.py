"""`improvenet login` with no client named asks for the device flow; a gateway that has no sign-in for people
(404 on the device endpoint) gets a usage error saying how to log in instead, not a bare 404."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from improvenet_client.cli import EXIT_USAGE, app
from typer.testing import CliRunner


class NoSignIn(http.server.BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_POST(self) -> None:
        NoSignIn.paths.append(self.path)
        body = b'{"status": 404, "title": "Not Found", "detail": "no such route"}'
        self.send_response(404)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), NoSignIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_gateway_without_sign_in_says_how_to_log_in_instead(gateway: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["login", "--gateway", gateway], env={"IMPROVENET_CONFIG_DIR": str(tmp_path)})
    assert result.exit_code == EXIT_USAGE, result.output
    assert NoSignIn.paths == ["/oauth/device_authorization"]
    assert "--client-id" in result.output and "does not offer" in result.output
    assert not (tmp_path / "config.toml").exists()  # nothing saved
