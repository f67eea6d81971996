"""The platform's own public clients (no secret): the web console and the command line."""

from __future__ import annotations

from fastapi import Request

CONSOLE = "improvenet-console"  # authorization code + PKCE
CLI = "improvenet-cli"  # device authorization grant (RFC 8628)
PUBLIC_CLIENTS = frozenset({CONSOLE, CLI})


def origin_of(request: Request) -> str:
    """scheme://host[:port] of the gateway as the caller reached it."""
    return str(request.base_url).rstrip("/")


def redirect_uri_allowed(request: Request, redirect_uri: str) -> bool:
    """Exactly <origin>/app/callback, or one of `console_redirect_uris`: compared whole, never by prefix."""
    allowed = {f"{origin_of(request)}/app/callback", *request.app.state.settings.console_redirect_uris}
    return redirect_uri in allowed
