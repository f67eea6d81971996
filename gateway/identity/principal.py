"""Who calls the gateway's own operations: a verified token whose client is not revoked, then the
admin scope and the client's rate limit (the same limit the proxy applies)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from gateway.limits import check_rate
from libs.common.auth import Principal, bearer, bearer_token, insufficient_scope, unauthorized


async def principal_of(request: Request,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """A verified token whose client (if the embedded issuer's) has not been revoked, or, for a
    person's token, whose session has not ended.

    The gateway reads revocations from its own database (immediate); services learn them from the bus.
    """
    state = request.app.state
    principal: Principal = await state.verifier.verify(bearer_token(credentials))
    if principal.issuer == state.settings.token_issuer:
        if principal.session_id is not None:
            # A person's token: its session may have ended (signed out, revoked). One primary-key
            # lookup, and only for tokens that carry `sid`: machine tokens do not pay for it.
            if await state.sessions.is_ended(principal.session_id):
                raise unauthorized("token rejected: session ended")
        elif await state.clients.is_revoked(principal.subject):
            raise unauthorized("token rejected: this client has been revoked")
    return principal


async def admin(request: Request, principal: Annotated[Principal, Depends(principal_of)]) -> Principal:
    if not principal.has("admin"):
        raise insufficient_scope("admin")
    check_rate(request, f"{principal.issuer}|{principal.subject}")
    return principal


Admin = Annotated[Principal, Depends(admin)]
