"""The embedded OAuth2 issuer's endpoints: client credentials at `/oauth/token`, the JWKS, and the
issuer's discovery document."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from gateway.identity.errors import token_error
from gateway.identity.grants import DEVICE_GRANT, PERSON_GRANTS, person_grant
from gateway.identity.keys import mint
from gateway.limits import BODY_TOO_LARGE, check_rate
from libs.common.problems import problem_responses

ERRORS = problem_responses(400, 401, 429)


class TokenResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "access_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6IjIwMjYtMDktMDEiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiJkaXN0cmljdC1zaXMi"
                        "fQ.c2lnbmF0dXJl",
        "token_type": "Bearer", "expires_in": 900, "scope": "hr:read hr:write"}]})

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str
    refresh_token: str | None = Field(None, description="People's grants only: use it once, keep the new one.")


def granted_scopes(requested: str | None, allowed: list[str]) -> list[str]:
    """RFC 6749 §3.3: no `scope` asks for everything the client may have; more than that is refused."""
    if not requested:
        return sorted(allowed)
    wanted = set(requested.split())
    if not wanted <= set(allowed):
        raise token_error(400, "invalid_scope", "requested scope exceeds what this client may have: "
                          + " ".join(sorted(wanted - set(allowed))))
    return sorted(wanted)


def client_credentials(request: Request, form: dict[str, list[str]]) -> tuple[str, str]:
    """From HTTP Basic (RFC 6749 §2.3.1, preferred) or from the form body."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise token_error(401, "invalid_client", "malformed Basic credentials") from exc
        return unquote(client_id), unquote(secret)
    client_id, secret = form.get("client_id", [""])[0], form.get("client_secret", [""])[0]
    if not client_id or not secret:
        raise token_error(401, "invalid_client", "client authentication is required")
    return client_id, secret


router = APIRouter(tags=["identity"])


@router.post("/oauth/token", response_model=TokenResponse, summary="Get an access token",
             description="Machines: OAuth2 client credentials (RFC 6749 §4.4); authenticate with HTTP Basic "
                         "(`client_id:client_secret`) or with `client_id` and `client_secret` in the form. "
                         "People (public clients `improvenet-console`, `improvenet-cli`, no secret): "
                         "`authorization_code` with `code`, `redirect_uri` and the PKCE `code_verifier`; "
                         "`refresh_token` (rotating: each use returns a new one, and presenting a used one ends "
                         "the session); the device code grant (RFC 8628 §3.4) with `device_code`.",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "required": ["grant_type"],
                     "properties": {"grant_type": {"type": "string", "enum": [
                                        "client_credentials", "authorization_code", "refresh_token", DEVICE_GRANT]},
                                    "scope": {"type": "string"}, "client_id": {"type": "string"},
                                    "client_secret": {"type": "string"}, "code": {"type": "string"},
                                    "redirect_uri": {"type": "string"}, "code_verifier": {"type": "string"},
                                    "refresh_token": {"type": "string"},
                                    "device_code": {"type": "string"}}}}}}},
             responses={400: ERRORS[400], 401: ERRORS[401], **BODY_TOO_LARGE, 429: ERRORS[429]})
async def issue_token(request: Request) -> JSONResponse:
    state = request.app.state
    settings = state.settings
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise token_error(400, "invalid_request", "send application/x-www-form-urlencoded")
    try:
        form = parse_qs((await request.body()).decode(), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise token_error(400, "invalid_request", "the form is not UTF-8") from exc
    grant_type = form.get("grant_type", [""])[0]
    if grant_type in PERSON_GRANTS:
        return await person_grant(request, grant_type, form)
    if grant_type != "client_credentials":
        raise token_error(400, "unsupported_grant_type", "grant_type must be one of: client_credentials, "
                          "authorization_code, refresh_token, " + DEVICE_GRANT)
    client_id, secret = client_credentials(request, form)
    check_rate(request, "token:" + client_id)
    client = await state.clients.authenticate(client_id, secret)
    if client is None:
        raise token_error(401, "invalid_client", "unknown client, wrong secret, or revoked")
    scopes = granted_scopes(form.get("scope", [""])[0], list(client["scopes"]))
    token = await mint(state.keys, client, scopes, issuer=settings.token_issuer,
                       audience=settings.token_audience, ttl=settings.token_ttl_seconds)
    return JSONResponse({"access_token": token, "token_type": "Bearer",
                         "expires_in": settings.token_ttl_seconds, "scope": " ".join(scopes)},
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


JWKS_EXAMPLE = {"keys": [{"kty": "RSA", "kid": "2026-09-01", "use": "sig", "alg": "RS256", "e": "AQAB",
                          "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
                               "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"
                               "65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNL"
                               "yrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJ"
                               "zKnqDKgw"}]}


@router.get("/.well-known/jwks.json", summary="Keys that verify access tokens",
            responses={200: {"content": {"application/json": {"example": JWKS_EXAMPLE}}}})
async def jwks(request: Request) -> JSONResponse:
    return JSONResponse(await request.app.state.keys.jwks(), headers={"Cache-Control": "max-age=60"})


DISCOVERY_EXAMPLE = {
    "issuer": "https://api.improvenet.example.org", "token_endpoint": "https://api.improvenet.example.org/oauth/token",
    "jwks_uri": "https://api.improvenet.example.org/.well-known/jwks.json",
    "grant_types_supported": ["client_credentials"],
    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    "scopes_supported": ["admin", "hr:read", "hr:write", "observations:read", "observations:write"]}


@router.get("/.well-known/openid-configuration", summary="Issuer metadata",
            responses={200: {"content": {"application/json": {"example": DISCOVERY_EXAMPLE}}}})
async def discovery(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    base = str(request.base_url).rstrip("/")
    return {"issuer": settings.token_issuer, "token_endpoint": f"{base}/oauth/token",
            "jwks_uri": f"{base}/.well-known/jwks.json",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "device_authorization_endpoint": f"{base}/oauth/device_authorization",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token",
                                      "urn:ietf:params:oauth:grant-type:device_code"],
            "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "scopes_supported": list(settings.scopes)}
