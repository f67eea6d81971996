"""Single sign-on through a district's OpenID Connect provider, the gateway being its relying party.

Authorization code + PKCE + nonce (Authlib's httpx client); the ID token is checked with Authlib's
JOSE against the provider's JWKS: signature (asymmetric algorithms only), `iss`, `aud`, `exp`, the
`nonce` of this sign-in, and `email_verified`. The state is stored hashed with the pending
authorization request, single use, 10 minutes, and bound to the browser that started it by a cookie
(SameSite=Lax: the provider's redirect back is a cross-site navigation, where a Strict cookie is not sent).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.identity.tables import sso_logins
from gateway.identity.tokens import digest, new_secret
from gateway.settings import SignInProvider

with warnings.catch_warnings():
    # Authlib 1.9 announces its move to joserfc and httpx2; these APIs stay until Authlib 2.0.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client
    from authlib.jose import JoseError, JsonWebKey, JsonWebToken

ID_TOKEN_ALGORITHMS = ["RS256", "ES256", "EdDSA"]  # never HS256 or none
STATE_TTL = timedelta(minutes=10)
METADATA_SECONDS = 300.0


class SsoRefused(Exception):
    """The sign-in through the provider did not succeed; the message is for the person."""


@dataclass(frozen=True)
class SsoResult:
    provider: SignInProvider
    email: str
    pending: dict[str, str]


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


class SingleSignOn:
    def __init__(self, engine: AsyncEngine, providers: list[SignInProvider]) -> None:
        self._engine = engine
        self._providers = providers
        self._metadata: dict[str, tuple[float, dict[str, Any]]] = {}

    def provider_for(self, email: str) -> SignInProvider | None:
        domain = domain_of(email)
        return next((p for p in self._providers if domain in {d.lower() for d in p.email_domains}), None)

    def _by_key(self, key: str) -> SignInProvider | None:
        return next((p for p in self._providers if p.key == key), None)

    async def metadata(self, provider: SignInProvider) -> dict[str, Any]:
        cached = self._metadata.get(provider.issuer)
        if cached is not None and time.monotonic() - cached[0] < METADATA_SECONDS:
            return cached[1]
        url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(url)
            response.raise_for_status()
            document: dict[str, Any] = response.json()
        if document.get("issuer") != provider.issuer:
            raise SsoRefused("Your district's sign-in is misconfigured (issuer mismatch).")
        self._metadata[provider.issuer] = (time.monotonic(), document)
        return document

    def _client(self, provider: SignInProvider, redirect_uri: str) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(client_id=provider.client_id,
                                 client_secret=provider.client_secret.get_secret_value(),
                                 scope="openid email profile", redirect_uri=redirect_uri,
                                 code_challenge_method="S256", timeout=10)

    async def begin(self, provider: SignInProvider, pending: dict[str, str], redirect_uri: str
                    ) -> tuple[str, str]:
        """The provider's authorization URL to send the browser to, and the browser's binding cookie."""
        try:
            metadata = await self.metadata(provider)
        except (httpx.HTTPError, ValueError) as exc:
            raise SsoRefused("Your district's sign-in cannot be reached right now; try again or use your "
                             "password.") from exc
        state, nonce, verifier, binding = new_secret(), new_secret(), new_secret() + new_secret(), new_secret()
        async with self._client(provider, redirect_uri) as client:
            url, _ = client.create_authorization_url(metadata["authorization_endpoint"], state=state,
                                                     code_verifier=verifier, nonce=nonce)
        async with self._engine.begin() as conn:
            await conn.execute(insert(sso_logins).values(
                state_hash=digest(state), binding_hash=digest(binding), provider=provider.key, nonce=nonce,
                code_verifier=verifier, pending=pending, expires_at=datetime.now(UTC) + STATE_TTL))
        return url, binding

    async def complete(self, state: str, code: str, binding: str, redirect_uri: str) -> SsoResult:
        login = await self._spend(state, binding)
        provider = self._by_key(login["provider"])
        if provider is None:
            raise SsoRefused("That district sign-in is no longer set up.")
        try:
            metadata = await self.metadata(provider)
            async with self._client(provider, redirect_uri) as client:
                token = await client.fetch_token(metadata["token_endpoint"], code=code,
                                                 code_verifier=login["code_verifier"])
            async with httpx.AsyncClient(timeout=10) as http:
                jwks = (await http.get(metadata["jwks_uri"])).raise_for_status().json()
        except Exception as exc:  # the provider refused the code or could not be reached
            raise SsoRefused("Your district's sign-in did not complete; try again.") from exc
        claims = verified_claims(token.get("id_token"), jwks, provider, login["nonce"])
        return SsoResult(provider, str(claims["email"]).strip().lower(), dict(login["pending"]))

    async def _spend(self, state: str, binding: str) -> dict[str, Any]:
        async with self._engine.begin() as conn:
            row = (await conn.execute(select(sso_logins).where(
                sso_logins.c.state_hash == digest(state)).with_for_update())).first()
            if row is None or row.used_at is not None or row.expires_at <= datetime.now(UTC) \
                    or row.binding_hash != digest(binding):
                raise SsoRefused("This sign-in has expired or was started in another browser; start again.")
            await conn.execute(update(sso_logins).where(sso_logins.c.state_hash == row.state_hash)
                               .values(used_at=datetime.now(UTC)))
            return dict(row._mapping)


def verified_claims(id_token: Any, jwks: dict[str, Any], provider: SignInProvider, nonce: str) -> dict[str, Any]:
    """The ID token's claims, once signature, issuer, audience, expiry, nonce and a verified e-mail hold."""
    if not isinstance(id_token, str):
        raise SsoRefused("Your district's sign-in sent no ID token.")
    try:
        claims = JsonWebToken(ID_TOKEN_ALGORITHMS).decode(
            id_token, JsonWebKey.import_key_set(jwks), claims_options={
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
                "exp": {"essential": True}, "nonce": {"essential": True, "value": nonce}})
        claims.validate(leeway=30)
    except (JoseError, ValueError) as exc:
        raise SsoRefused("Your district's sign-in sent an ID token that does not verify.") from exc
    if claims.get("email_verified") is not True or not isinstance(claims.get("email"), str):
        raise SsoRefused("Your district's account has no verified e-mail address.")
    return dict(claims)
