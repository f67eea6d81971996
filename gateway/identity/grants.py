"""People's tokens: the authorization code, refresh token and device code grants of `/oauth/token`,
device authorization, revocation (RFC 7009), sign-out and `/identity/me`.

A person's access token: `sub` the person's id, `client_id` the public client, `tenant`, `scope` (the
role's scopes, narrowed to what was asked), `schools` when the person is limited to some, `educator_id`
when they have one, `sid` the session and `role`. Never the e-mail.

Why the grants are not Authlib's `AuthorizationServer`: Authlib ships that server for Flask and Django
only (its Starlette integration is a client), and its grant classes are synchronous, where every step
here is an async database call. The protocol's delicate parts do come from libraries: PKCE's S256 from
Authlib (`gateway.identity.pkce`), the relying party of SSO from Authlib's client and JOSE
(`gateway.identity.sso`), token signing from PyJWT; what remains here is RFC 6749 / 7009 / 8628 request
checking, written against the RFCs' error codes and tested in tests/integration/signin.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any
from urllib.parse import parse_qs

import jwt
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from gateway.identity.errors import token_error
from gateway.identity.keys import SigningKeys
from gateway.identity.pkce import verifier_matches
from gateway.identity.principal import principal_of
from gateway.identity.public_clients import CLI, CONSOLE, origin_of
from gateway.identity.roles import scopes_for
from gateway.identity.sessions import Issued, shown_user_code
from gateway.limits import BODY_TOO_LARGE, check_rate
from libs.common.auth import Principal
from libs.common.problems import Problem, problem_responses

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
PERSON_GRANTS = frozenset({"authorization_code", "refresh_token", DEVICE_GRANT})
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def one(form: dict[str, list[str]], name: str) -> str:
    value = form.get(name, [""])[0]
    if not value:
        raise token_error(400, "invalid_request", f"{name} is required")
    return value


def person_scopes(person: dict[str, Any], requested: str | None, known: list[str]) -> list[str]:
    """The role's scopes (as the role is now), narrowed to what the session asked for."""
    allowed = scopes_for(person["role"], known)
    if not requested:
        return allowed
    return sorted(set(allowed) & set(requested.split()))


async def mint_person(keys: SigningKeys, person: dict[str, Any], session_id: uuid.UUID, client_id: str,
                      scopes: list[str], *, issuer: str, audience: str, ttl: int) -> str:
    active = await keys.active()
    now = int(time.time())
    claims: dict[str, Any] = {"iss": issuer, "aud": audience, "sub": str(person["id"]), "client_id": client_id,
                              "tenant": person["tenant_id"], "scope": " ".join(scopes), "iat": now, "nbf": now,
                              "exp": now + ttl, "jti": str(uuid.uuid4()), "sid": str(session_id),
                              "role": person["role"]}
    if person.get("schools") is not None:
        claims["schools"] = list(person["schools"])
    if person.get("educator_id") is not None:
        claims["educator_id"] = str(person["educator_id"])
    return jwt.encode(claims, active.key, algorithm="RS256", headers={"kid": active.kid})


async def tokens_for(request: Request, issued: Issued) -> JSONResponse:
    settings = request.app.state.settings
    scopes = person_scopes(issued.person, issued.scope, list(settings.scopes))
    access = await mint_person(request.app.state.keys, issued.person, issued.session_id, issued.client_id, scopes,
                               issuer=settings.token_issuer, audience=settings.token_audience,
                               ttl=settings.person_token_ttl_seconds)
    return JSONResponse({"access_token": access, "token_type": "Bearer",
                         "expires_in": settings.person_token_ttl_seconds, "refresh_token": issued.refresh_token,
                         "scope": " ".join(scopes)}, headers=NO_STORE)


async def person_grant(request: Request, grant_type: str, form: dict[str, list[str]]) -> JSONResponse:
    """The grants of public clients: identified by `client_id`, proven by PKCE, a refresh token or a
    device code (they hold no secret)."""
    sessions = request.app.state.sessions
    client_id = one(form, "client_id")
    check_rate(request, "token:" + client_id)
    if grant_type == "authorization_code":
        if client_id != CONSOLE:
            raise token_error(400, "unauthorized_client", f"only {CONSOLE} uses the authorization code grant")
        verifier = one(form, "code_verifier")
        issued = await sessions.redeem_code(one(form, "code"), client_id, one(form, "redirect_uri"),
                                            lambda challenge: verifier_matches(verifier, challenge))
    elif grant_type == "refresh_token":
        if client_id not in (CONSOLE, CLI):
            raise token_error(400, "invalid_grant", "unknown refresh token")
        issued = await sessions.refresh(one(form, "refresh_token"), client_id)
    else:
        if client_id != CLI:
            raise token_error(400, "unauthorized_client", f"only {CLI} uses the device authorization grant")
        issued = await sessions.poll_device(one(form, "device_code"), client_id)
    return await tokens_for(request, issued)


async def form_of(request: Request) -> dict[str, list[str]]:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise token_error(400, "invalid_request", "send application/x-www-form-urlencoded")
    try:
        return parse_qs((await request.body()).decode(), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise token_error(400, "invalid_request", "the form is not UTF-8") from exc


def form_body(*required: str, **properties: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": list(required), "properties": properties}}}}}


STRING: dict[str, Any] = {"type": "string"}
REQUIRED_STRING: dict[str, Any] = {"type": "string", "minLength": 1}  # an empty one is `invalid_request`
ERRORS = problem_responses(400, 401, 429)
router = APIRouter(tags=["identity"])


class DeviceAuthorization(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "device_code": "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS", "user_code": "WDJB-MJHT",
        "verification_uri": "https://api.improvenet.example.org/device",
        "verification_uri_complete": "https://api.improvenet.example.org/device?user_code=WDJB-MJHT",
        "expires_in": 600, "interval": 5}]})

    device_code: str
    user_code: str = Field(description="8 letters, shown as XXXX-XXXX.")
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


@router.post("/oauth/device_authorization", response_model=DeviceAuthorization,
             summary="Start a device authorization (the command line's sign-in)",
             description="RFC 8628 §3.1, for the public client `improvenet-cli`. Show the person `user_code` "
                         "and `verification_uri`, then poll `/oauth/token` with the device code every `interval` s.",
             openapi_extra=form_body("client_id", client_id=REQUIRED_STRING, scope=STRING),
             responses={400: ERRORS[400], 401: ERRORS[401], **BODY_TOO_LARGE, 429: ERRORS[429]})
async def device_authorization(request: Request) -> JSONResponse:
    form = await form_of(request)
    client_id = one(form, "client_id")
    if client_id != CLI:
        raise token_error(401, "invalid_client", f"device authorization is for {CLI}")
    check_rate(request, "token:" + client_id)
    scope = form.get("scope", [""])[0] or None
    if scope and not set(scope.split()) <= set(request.app.state.settings.scopes):
        raise token_error(400, "invalid_scope", "unknown scope requested")
    sessions = request.app.state.sessions
    device_code, user_code = await sessions.start_device(client_id, scope)
    shown = shown_user_code(user_code)
    uri = f"{origin_of(request)}/device"
    return JSONResponse({"device_code": device_code, "user_code": shown, "verification_uri": uri,
                         "verification_uri_complete": f"{uri}?user_code={shown}",
                         "expires_in": sessions.device_ttl, "interval": sessions.device_interval}, headers=NO_STORE)


@router.post("/oauth/revoke", status_code=200, response_class=Response, summary="Revoke a token (RFC 7009)",
             description="A refresh token's whole session ends; so does the session of a person's access token. "
                         "Answers 200 for any well-formed request, known token or not.",
             openapi_extra=form_body("token", token=REQUIRED_STRING, token_type_hint=STRING, client_id=STRING),
             responses={200: {"description": "Revoked (or never valid)"}, 400: ERRORS[400], **BODY_TOO_LARGE,
                        429: ERRORS[429]})
async def revoke(request: Request) -> Response:
    form = await form_of(request)
    token = one(form, "token")
    client_id = form.get("client_id", [""])[0] or None
    check_rate(request, "token:" + (client_id or "revoke"))
    state = request.app.state
    await state.sessions.end_by_refresh_token(token, client_id)
    if token.count(".") == 2:  # perhaps a person's access token: its session ends too
        try:
            principal = await state.verifier.verify(token)
        except Problem:
            principal = None
        if principal is not None and principal.session_id and principal.issuer == state.settings.token_issuer:
            await state.sessions.end(principal.session_id, "revoked")
    return Response(status_code=200, headers=NO_STORE)


async def person_of(request: Request, principal: Annotated[Principal, Depends(principal_of)]) -> Principal:
    """A person's token (it has a session); a machine's token is 403."""
    check_rate(request, f"{principal.issuer}|{principal.subject}")
    if principal.session_id is None or principal.issuer != request.app.state.settings.token_issuer:
        raise Problem(403, "Forbidden", "not a person's token: this is for people signed in at the gateway",
                      slug="not-a-person")
    return principal


Person = Annotated[Principal, Depends(person_of)]
PERSON_ERRORS = problem_responses(401, 403, 429)


@router.post("/oauth/signout", status_code=204, summary="Sign out: end this token's session",
             description="Its refresh tokens stop working and the gateway refuses its access tokens from now on.",
             responses=PERSON_ERRORS)
async def signout(request: Request, principal: Person) -> Response:
    assert principal.session_id is not None
    await request.app.state.sessions.end(principal.session_id, "signed-out")
    return Response(status_code=204)


class Me(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "person_id": "7b0c1f8e-2d5a-4c3e-9f61-0a8b7c6d5e41", "email": "maria.santos@riverside.example.org",
        "display_name": "Maria Santos", "role": "principal", "tenant": "riverside",
        "schools": ["3f1e9a52-6c1b-4d2a-8e3f-5b7c9d0e1f2a"], "educator_id": None,
        "scopes": ["hr:read", "observations:identify", "observations:read"]}]})

    person_id: uuid.UUID
    email: str
    display_name: str | None
    role: str
    tenant: str
    schools: list[str] | None
    educator_id: uuid.UUID | None
    scopes: list[str]


@router.get("/identity/me", response_model=Me, summary="Who this person's token belongs to",
            description="For a person's token only; a machine's (client credentials) token is 403 `not-a-person`.",
            responses={**PERSON_ERRORS, **problem_responses(404)})
async def me(request: Request, principal: Person) -> Any:
    person = await request.app.state.people.by_id(principal.subject)
    if person is None or person["tenant_id"] != principal.tenant_id:
        raise Problem(404, "Not found", "person not found", slug="not-found")
    return {"person_id": person["id"], "email": person["email"], "display_name": person["display_name"],
            "role": person["role"], "tenant": person["tenant_id"], "schools": person["schools"],
            "educator_id": person["educator_id"], "scopes": sorted(principal.scopes)}
