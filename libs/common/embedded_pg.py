"""The embedded PostgreSQL: a real server from the `pgserver` wheel, data in a folder of ours."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pgserver

log = logging.getLogger(__name__)
logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs from atexit, after streams close
# Nine processes share one server; each keeps a small pool, plus listeners and the bus.
SERVER_SETTINGS = {"max_connections": "300"}


class EmbeddedPostgres:
    def __init__(self, pgdata: Path, *, settings: dict[str, str] | None = None) -> None:
        self.pgdata = pgdata.resolve()
        self.settings = {**SERVER_SETTINGS, **(settings or {})}
        self._server: Any = None

    def start(self) -> str:
        """Start (or attach to) the server; returns a URL of its `postgres` database."""
        self.pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        if self._needs_settings(server):
            statements = "".join(f"ALTER SYSTEM SET {k} = '{v}';\n" for k, v in self.settings.items())
            server.psql(statements)
            server.cleanup()  # stop, so the settings that need a restart take effect
            server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        self._server = server
        return str(server.get_uri())

    def _needs_settings(self, server: Any) -> bool:
        out = server.psql("".join(f"SHOW {k};\n" for k in self.settings))
        return any(f" {v}\n" not in out for v in self.settings.values())

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
