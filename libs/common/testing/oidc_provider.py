"""A small, real OpenID Connect provider for tests: a district's identity provider on loopback.

A Starlette app served by uvicorn in a thread on a free port: discovery, JWKS (an RSA key made at
start), `/authorize` that signs in the configured user at once (as a provider does for a browser that
is already signed in) and redirects back with a code, and `/token` that checks the client's secret,
the redirect URI and PKCE (S256) and answers an RS256 ID token with the request's nonce. Tests set
`user` (and may set `email_verified`, `id_token_overrides`) to say who signs in.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from libs.common.auth import jwk_thumbprint
from libs.common.testing.kafka_broker import free_port


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    claims: dict[str, Any]


@dataclass
class OidcProvider:
    client_id: str = "improvenet-gateway"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    user: dict[str, Any] = field(default_factory=lambda: {"sub": "u-1", "email": "person@district.example",
                                                          "email_verified": True})
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    issuer: str = ""
    token_requests: int = 0

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = jwk_thumbprint(self._key.public_key())
        self._grants: dict[str, Grant] = {}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> OidcProvider:
        port = free_port()
        self.issuer = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn.Config(self.app(), host="127.0.0.1", port=port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="oidc-provider")
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the OIDC provider did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- the endpoints ------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/.well-known/openid-configuration", self._discovery),
                                 Route("/jwks", self._jwks), Route("/authorize", self._authorize),
                                 Route("/token", self._token, methods=["POST"])])

    async def _discovery(self, request: Request) -> JSONResponse:
        return JSONResponse({"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                             "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                             "response_types_supported": ["code"], "subject_types_supported": ["public"],
                             "id_token_signing_alg_values_supported": ["RS256"],
                             "code_challenge_methods_supported": ["S256"],
                             "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})

    async def _jwks(self, request: Request) -> JSONResponse:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return JSONResponse({"keys": [{**jwk, "kid": self._kid, "use": "sig", "alg": "RS256"}]})

    async def _authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request", "error_description": "PKCE required"}, status_code=400)
        code = secrets.token_urlsafe(24)
        self._grants[code] = Grant(q["client_id"], q.get("redirect_uri", ""), q["code_challenge"], q.get("nonce"),
                                   dict(self.user))
        return RedirectResponse(f"{q.get('redirect_uri')}?{urlencode({'code': code, 'state': q.get('state', '')})}",
                                status_code=302)

    async def _token(self, request: Request) -> JSONResponse:
        self.token_requests += 1
        form = await request.form()
        client_id, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        if client_id != self.client_id or not secrets.compare_digest(secret, self.client_secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self._grants.pop(str(form.get("code", "")), None)
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        from authlib.oauth2.rfc7636 import create_s256_code_challenge

        if create_s256_code_challenge(verifier) != grant.code_challenge:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, **grant.claims,
                  **({"nonce": grant.nonce} if grant.nonce else {}), **self.id_token_overrides}
        id_token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        return JSONResponse({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300,
                             "id_token": id_token})
