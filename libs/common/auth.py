"""Verification of signed access tokens, and the tenancy every request carries.

The tenant comes only from a verified token, never from a path, a body or a header. Tokens come from
the embedded issuer (the gateway's OAuth2 endpoint, keys published as JWKS) or from a district's own
OpenID Connect issuer configured in TRUSTED_ISSUERS; each issuer says which claims carry the tenant,
the scopes and the schools.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import HTTPAuthorizationCredentials, OAuth2

from libs.common.problems import Problem

if TYPE_CHECKING:
    from libs.common.bus import Bus
    from libs.common.settings import ServiceSettings

log = logging.getLogger(__name__)
ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256", "EdDSA"})  # asymmetric only: never `none`, never HS256
JWKS_MIN_REFRESH_SECONDS = 10.0
# A JWKS is fetched again at least this often even when every kid is known: that is how a retired
# key (one the issuer no longer publishes) stops verifying here too.
JWKS_MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant_id: str
    scopes: frozenset[str]
    schools: frozenset[str] | None  # None: not limited to some schools
    token_id: str | None = None
    issuer: str | None = None
    expires_at: int | None = None
    session_id: str | None = None  # `sid`: a person's session at the gateway (machines have none)

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    def may_see_school(self, school_id: object) -> bool:
        return self.schools is None or str(school_id) in self.schools


@dataclass(frozen=True)
class Issuer:
    """A token issuer this platform trusts, and how its claims map onto a Principal."""

    issuer: str
    audience: str
    jwks_url: str | None = None
    public_keys: tuple[bytes, ...] = ()
    tenant_claim: str = "tenant"
    scope_claim: str = "scope"
    schools_claim: str = "schools"


def unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, slug="invalid-token",
                   headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def algorithms_for(key: Any) -> list[str]:
    """The one algorithm family a key may verify (a key never verifies another family's tokens)."""
    if isinstance(key, rsa.RSAPublicKey):
        return ["RS256"]
    if isinstance(key, ec.EllipticCurvePublicKey):
        return ["ES256"]
    if isinstance(key, ed25519.Ed25519PublicKey):
        return ["EdDSA"]
    raise ValueError(f"unsupported verification key type {type(key).__name__}")


def jwk_thumbprint(public_key: Any) -> str:
    """RFC 7638 thumbprint of an RSA public key: a stable `kid`."""
    numbers = public_key.public_numbers()

    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).decode().rstrip("=")

    canonical = json.dumps({"e": b64(numbers.e), "kty": "RSA", "n": b64(numbers.n)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode().rstrip("=")


JwksLoader = Callable[[], Awaitable[dict[str, Any]]]


@dataclass
class KeySet:
    """An issuer's keys: static PEMs and/or a JWKS (fetched on first use, when a kid is unknown, and
    at least every JWKS_MAX_AGE_SECONDS).

    When the issuer publishes a JWKS, the JWKS is the truth: the static PEMs (the bootstrap
    `public.pem`) are only a fallback until the first successful fetch, and a key the JWKS no longer
    lists stops verifying at the next refresh. So rotation retires the bootstrap key everywhere once
    its tokens have expired, with no file to rewrite on every host. A failed refresh keeps the last
    good JWKS (an issuer that is briefly down must not make every token fail, nor resurrect old keys).
    """

    issuer: Issuer
    loader: JwksLoader | None = None  # instead of fetching jwks_url (the gateway reads its own keys)
    by_kid: dict[str, Any] = field(default_factory=dict)
    fetched_at: float = 0.0  # the last attempt
    unknown_at: float = 0.0  # the last attempt because of a kid not known
    published: dict[str, Any] | None = None  # the last JWKS fetched successfully
    published_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        for pem in self.issuer.public_keys:
            key = serialization.load_pem_public_key(pem)
            kid = jwk_thumbprint(key) if isinstance(key, rsa.RSAPublicKey) else hashlib.sha256(pem).hexdigest()
            self.by_kid[kid] = key
        self.static = dict(self.by_kid)

    @property
    def publishes(self) -> bool:
        return bool(self.issuer.jwks_url or self.loader)

    def _stale(self) -> bool:
        return self.published is None or time.monotonic() - self.published_at > JWKS_MAX_AGE_SECONDS

    async def candidates(self, kid: str | None, http: httpx.AsyncClient) -> list[Any]:
        if self.publishes:
            now = time.monotonic()
            if (not kid or kid not in self.by_kid) and now - self.unknown_at > JWKS_MIN_REFRESH_SECONDS:
                self.unknown_at = now  # unknown kids refresh at most this often, whatever else refreshed
                await self._refresh(http)
            elif self._stale() and now - self.fetched_at > JWKS_MIN_REFRESH_SECONDS:
                await self._refresh(http)
        if kid:
            return [self.by_kid[kid]] if kid in self.by_kid else []
        return list(self.by_kid.values())

    async def _refresh(self, http: httpx.AsyncClient) -> None:
        before = self.fetched_at
        async with self.lock:
            if self.fetched_at != before:
                return  # another request refreshed while this one waited
            self.fetched_at = time.monotonic()
            try:
                if self.loader is not None:
                    document = await self.loader()
                else:
                    response = await http.get(self.issuer.jwks_url or "", timeout=5)
                    response.raise_for_status()
                    document = response.json()
                keys: dict[str, Any] = {}
                for jwk in document.get("keys", []):
                    try:
                        parsed = jwt.PyJWK(jwk)
                    except jwt.PyJWTError:
                        continue  # a key type we do not accept
                    if parsed.key_id:
                        keys[parsed.key_id] = parsed.key
            except Exception as exc:  # an unreachable issuer must not break verification of the others
                log.warning("could not fetch JWKS of %s: %r", self.issuer.issuer, exc)
                return
            self.published, self.published_at = keys, time.monotonic()
            self.by_kid = dict(keys)  # replaces, never merges: a key no longer published is retired


class RevocationList:
    """Clients revoked at the embedded issuer, as the verifier of every process knows them.

    Fed by `ClientRevoked` events (see `RevocationFeed`). An entry is kept a day past its revocation:
    by then every token the client held has expired (tokens live at most 24 hours) and the gateway
    issues it no new ones.
    """

    KEEP_SECONDS = 86_400 + 3_600

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._revoked: dict[tuple[str | None, str], float] = {}

    def revoke(self, issuer: str | None, subject: str, revoked_at: float | None = None) -> None:
        now = self._clock()
        self._revoked[(issuer, subject)] = revoked_at if revoked_at is not None else now
        horizon = now - self.KEEP_SECONDS
        for key in [k for k, at in self._revoked.items() if at < horizon]:
            del self._revoked[key]

    def is_revoked(self, principal: Principal) -> bool:
        return (principal.issuer, principal.subject) in self._revoked

    def __len__(self) -> int:
        return len(self._revoked)


class RevocationFeed:
    """Applies the gateway's `ClientRevoked` events to a RevocationList, in this process.

    Every process must see every revocation, so each reads the identity topic from its beginning in a
    consumer group of its own and never commits (the topic holds one small event per revocation; a
    restart reads it again, which is harmless: applying a revocation twice changes nothing).
    """

    POLL_SECONDS = 1.0

    def __init__(self, bus: Bus, revocations: RevocationList, *, group: str) -> None:
        self.bus, self.revocations, self.group = bus, revocations, group
        self.settled = asyncio.Event()  # the first poll answered (caught up) or failed
        self.applied = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.group)

    async def _run(self) -> None:
        from libs.contracts.gateway import IDENTITY_TOPIC, ClientRevoked

        delay = 0.5
        while True:
            subscription = self.bus.subscribe(self.group, [IDENTITY_TOPIC])
            try:
                while True:
                    deliveries = await subscription.poll(500, self.POLL_SECONDS)
                    for d in deliveries:
                        if d.message.headers.get("ce_type") != ClientRevoked.event_type:
                            continue
                        try:
                            p = ClientRevoked.model_validate_json(d.message.value)
                        except ValueError:
                            log.warning("skipping a malformed revocation at offset %s", d.offset)
                            continue
                        self.revocations.revoke(p.issuer, p.client_id, p.revoked_at.timestamp())
                        self.applied += 1
                    if len(deliveries) < 500:
                        self.settled.set()
                    delay = 0.5
            except asyncio.CancelledError:
                await subscription.close()
                raise
            except Exception as exc:  # the bus is down: keep what we know, retry with backoff
                self.settled.set()
                (log.warning if delay == 0.5 else log.debug)(
                    "revocation feed %s: %r; retrying in %.1fs", self.group, exc, delay)
                await subscription.close()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        await self.bus.close()


class TokenVerifier:
    """Verifies tokens; remembers the ones it verified (a client reuses its token for every call).

    A remembered token is trusted until it expires or for VERIFIED_CACHE_SECONDS, whichever comes
    first; revocation is checked apart from this, on every request, against `revocations`.
    """

    VERIFIED_CACHE_SECONDS = 60.0
    VERIFIED_CACHE_SIZE = 10_000
    FIRST_CATCH_UP_SECONDS = 2.0

    def __init__(self, issuers: list[Issuer], http: httpx.AsyncClient | None = None,
                 loaders: dict[str, JwksLoader] | None = None,
                 revocations: RevocationList | None = None) -> None:
        if not issuers:
            raise ValueError("at least one trusted issuer is needed")
        self._issuers = {i.issuer: KeySet(i, (loaders or {}).get(i.issuer)) for i in issuers}
        self._http = http or httpx.AsyncClient()
        self._verified: dict[str, tuple[float, Principal]] = {}
        self.revocations = revocations or RevocationList()
        self.feed: RevocationFeed | None = None
        self._following = False

    async def follow_revocations(self, settings: ServiceSettings, bus: Bus | None = None) -> None:
        """Start applying the bus's revocations (once; waits briefly for the first catch-up).

        The app lifespan should call this right after building the verifier; `authenticate` calls it
        on first use otherwise, so a service whose lifespan does not is protected all the same.
        """
        if self._following:
            return
        self._following = True
        if bus is None:
            from libs.common.bus import create_bus

            try:
                bus = create_bus(settings)
            except Exception as exc:  # no bus configured (a bare test app): only the gateway revokes
                log.warning("no bus to follow revocations on: %r", exc)
                return
        self.feed = RevocationFeed(bus, self.revocations,
                                   group=f"{settings.service}.revocations.{uuid.uuid4().hex[:12]}")
        self.feed.start()
        try:
            await asyncio.wait_for(self.feed.settled.wait(), self.FIRST_CATCH_UP_SECONDS)
        except TimeoutError:
            log.warning("revocations not caught up within %.0fs; continuing", self.FIRST_CATCH_UP_SECONDS)

    async def verify(self, token: str) -> Principal:
        now = time.time()
        remembered = self._verified.get(token)
        if remembered is not None and remembered[0] <= now:
            del self._verified[token]
            remembered = None
        if remembered is not None:
            principal = remembered[1]
        else:
            principal = await self._verify(token)
            if len(self._verified) >= self.VERIFIED_CACHE_SIZE:
                self._verified.clear()  # bounded memory; the next calls verify again
            until = min(now + self.VERIFIED_CACHE_SECONDS, float(principal.expires_at or now))
            self._verified[token] = (until, principal)
        if self.revocations.is_revoked(principal):
            raise unauthorized("token rejected: this client has been revoked")
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise unauthorized(f"token rejected: {exc}") from exc
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise unauthorized(f"token rejected: algorithm {header.get('alg')!r} is not accepted")
        keys = self._issuers.get(str(unverified.get("iss")))
        if keys is None:
            raise unauthorized("token rejected: issuer not trusted")
        candidates = await keys.candidates(header.get("kid"), self._http)
        if not candidates:
            raise unauthorized("token rejected: signing key unknown")
        issuer = keys.issuer
        for key in candidates:
            try:
                claims = jwt.decode(token, key, algorithms=algorithms_for(key), audience=issuer.audience,
                                    issuer=issuer.issuer, options={"require": ["exp", "iss", "aud", "sub"]})
            except jwt.InvalidSignatureError:
                continue
            except jwt.PyJWTError as exc:
                raise unauthorized(f"token rejected: {exc}") from exc
            return principal_from_claims(claims, issuer)
        raise unauthorized("token rejected: signature verification failed")

    async def close(self) -> None:
        if self.feed is not None:
            await self.feed.close()
        await self._http.aclose()


def principal_from_claims(claims: dict[str, Any], issuer: Issuer | None = None) -> Principal:
    tenant_claim = issuer.tenant_claim if issuer else "tenant"
    scope_claim = issuer.scope_claim if issuer else "scope"
    schools_claim = issuer.schools_claim if issuer else "schools"
    tenant = claims.get(tenant_claim)
    if not isinstance(tenant, str) or not tenant:
        raise unauthorized("token has no tenant")
    scope = claims.get(scope_claim, "")
    scopes = scope.split() if isinstance(scope, str) else [s for s in scope if isinstance(s, str)] \
        if isinstance(scope, list) else []
    schools = claims.get(schools_claim)
    return Principal(
        subject=str(claims["sub"]),
        tenant_id=tenant,
        scopes=frozenset(scopes),
        schools=frozenset(str(s) for s in schools) if isinstance(schools, list) else None,
        token_id=str(claims["jti"]) if claims.get("jti") else None,
        issuer=str(claims.get("iss")),
        expires_at=int(claims["exp"]) if isinstance(claims.get("exp"), int) else None,
        session_id=str(claims["sid"]) if claims.get("sid") else None,
    )


TOKEN_URL = "/oauth/token"


class OAuth2Bearer(OAuth2):
    """A bearer token from the gateway's OAuth2 client credentials flow.

    Declared as an OAuth2 scheme, not a bare bearer, so that FastAPI writes each operation's scopes (from
    `require`'s `Security(..., scopes=...)`) into its OpenAPI security requirement. It reads the header
    as HTTPBearer does: the route gets the credentials, or None, and decides (401 as problem+json)."""

    def __init__(self) -> None:
        flows = OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes={}))
        super().__init__(flows=flows, scheme_name="oauth2", auto_error=False,
                         description="Client credentials: POST /oauth/token with your client id and secret.")

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:  # type: ignore[override]
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if not scheme or not credentials.strip():
            return None
        return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials.strip())


bearer = OAuth2Bearer()


def bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("missing bearer token")
    return credentials.credentials


async def authenticate(request: Request,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    verifier: TokenVerifier = request.app.state.verifier
    settings = getattr(request.app.state, "settings", None)
    if verifier.feed is None and settings is not None:
        await verifier.follow_revocations(settings)  # a no-op once the lifespan has started it
    principal = await verifier.verify(bearer_token(credentials))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def insufficient_scope(scope: str) -> Problem:
    return Problem(403, "Forbidden", f"this call needs the scope {scope}", slug="insufficient-scope",
                   headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'})


def require(scope: str) -> Any:
    """A dependency that refuses (403) a token without `scope` (admin holds every scope of its tenant)."""

    async def check(principal: CurrentPrincipal) -> Principal:  # async: a sync one runs in a thread
        if not (principal.has(scope) or principal.has("admin")):
            raise insufficient_scope(scope)
        return principal

    return Security(check, scopes=[scope])  # Security, so the operation's document names the scope
