"""A real webhook receiver on 127.0.0.1: verifies every request with the `standardwebhooks` package
and records what arrived; it can answer with an error status or be stopped and started again."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from libs.common.testing.kafka_broker import free_port


@dataclass
class Arrival:
    webhook_id: str
    body: bytes
    event: dict[str, Any]
    verified_with: list[int]  # indexes of the secrets that verified it
    at: float


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    status: int = 200
    port: int = field(default_factory=free_port)
    arrivals: list[Arrival] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    attempts: int = 0
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        with self._lock:
            self.attempts += 1
            if self.status >= 300:
                return Response(status_code=self.status)
            verified = []
            for n, secret in enumerate(self.secrets):
                try:
                    Webhook(secret).verify(body, headers)
                    verified.append(n)
                except WebhookVerificationError:
                    pass
            if not verified:
                self.rejected.append(headers.get("webhook-id", "?"))
                return Response(status_code=401)
            self.arrivals.append(Arrival(headers["webhook-id"], body, json.loads(body), verified, time.time()))
        return Response(status_code=204)

    def start(self) -> Receiver:
        app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                     lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self._server.started, "the webhook receiver did not start"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._server = self._thread = None

    def ids(self) -> list[str]:
        with self._lock:
            return [a.webhook_id for a in self.arrivals]

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [a.event for a in self.arrivals]
