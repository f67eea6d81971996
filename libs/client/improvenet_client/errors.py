"""What can go wrong talking to the gateway: a problem the server answered (RFC 9457 problem+json), or no
answer at all. The CLI maps the first to exit code 1 and the second to 3."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One entry of a problem's `errors`: the field that was wrong (`items[2].school_id`) and why."""

    field: str
    message: str


@dataclass
class ProblemError(Exception):
    """The gateway or a service refused the call; every member of the problem document is kept."""

    status: int
    title: str
    type: str = "about:blank"
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    body: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None

    def __str__(self) -> str:
        text = f"{self.status} {self.title}"
        if self.detail:
            text += f": {self.detail}"
        for e in self.errors:
            text += f"\n  {e.field}: {e.message}"
        return text

    @property
    def slug(self) -> str:
        """The last part of `type` (`/problems/invalid-reference` -> `invalid-reference`)."""
        return self.type.rstrip("/").rsplit("/", 1)[-1]

    @classmethod
    def from_response(cls, status: int, reason: str, body: Any, request_id: str | None) -> ProblemError:
        doc = body if isinstance(body, dict) else {}
        errors = [FieldError(str(e.get("field", "")), str(e.get("message", "")))
                  for e in doc.get("errors") or [] if isinstance(e, dict)]
        # the token endpoint adds RFC 6749's `error`; keep it visible when there is no detail
        detail = doc.get("detail") or doc.get("error_description") or doc.get("error")
        return cls(status=int(doc.get("status") or status), title=str(doc.get("title") or reason or "Error"),
                   type=str(doc.get("type") or "about:blank"), detail=None if detail is None else str(detail),
                   instance=doc.get("instance"), errors=errors, body=doc, request_id=request_id)


class GatewayUnreachable(Exception):
    """No answer from the gateway (refused, timed out, name not found), after the retries."""

    def __init__(self, url: str, cause: BaseException) -> None:
        super().__init__(f"cannot reach the gateway at {url}: {cause}")
        self.url = url
        self.cause = cause
