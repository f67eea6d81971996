from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import jwt
import pytest

from libs.common.auth import Issuer, TokenVerifier
from libs.common.events import MalformedEvent, event_from_message, new_event
from libs.common.keys import ensure_signing_keys, mint_token
from libs.common.problems import Problem
from libs.contracts import REGISTRY
from libs.contracts.__main__ import schema_documents
from libs.contracts.hr import CareerStage, EducatorRegistered


def test_cloudevent_headers_round_trip() -> None:
    payload = EducatorRegistered(educator_id=uuid.uuid4(), school_id=None, career_stage=CareerStage.applicant,
                                 version=1)
    event = new_event(payload, service="hr", tenant_id="t1")
    headers = event.headers()
    assert headers["ce_type"] == "org.improvenet.hr.educator.registered"
    assert headers["ce_specversion"] == "1.0" and headers["ce_tenantid"] == "t1"
    assert headers["ce_subject"] == str(payload.educator_id)
    back = event_from_message(headers, event.value())
    assert back.id == event.id and back.data == event.data and back.tenant_id == "t1"


def test_a_message_without_cloudevent_attributes_is_malformed() -> None:
    with pytest.raises(MalformedEvent):
        event_from_message({"ce_id": "not-a-uuid"}, b"{}")


IRREGULAR_PAST_TENSE = {"held", "left", "made", "sent", "met", "begun", "done", "set", "went"}


def test_every_event_type_follows_the_naming_rule_and_has_a_schema() -> None:
    documents = schema_documents()
    for event_type, model in REGISTRY.items():
        parts = event_type.split(".")
        assert parts[:2] == ["org", "improvenet"] and len(parts) == 5
        words = parts[4].split("-")  # a phrase names its verb: went-stale, verdict-changed
        assert any(w.endswith("ed") or w in IRREGULAR_PAST_TENSE for w in words), f"{event_type}: not past tense"
        assert parts[2] in ("gateway", "hr", "observations", "networks", "strategy")
        assert documents[event_type]["$id"].endswith(f"{event_type}/v{model.schema_version}.json")
        assert model.topic.startswith(parts[2] + ".") or model.topic == "platform.audit"
        for personal in ("given_name", "family_name", "email", "staff_unique_id", "teacher_id", "text"):
            assert personal not in documents[event_type]["properties"]


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_signing_keys(tmp_path_factory.mktemp("k"))


def verifier(keys: Path) -> TokenVerifier:
    return TokenVerifier([Issuer("improvenet", "improvenet", public_keys=((keys / "public.pem").read_bytes(),))])


def token(keys: Path, **kw: object) -> str:
    return mint_token((keys / "private.pem").read_bytes(), tenant="t1", issuer=kw.pop("issuer", "improvenet"),  # type: ignore[arg-type]
                      audience=kw.pop("audience", "improvenet"), scopes=kw.pop("scopes", ["hr:read"]), **kw)  # type: ignore[arg-type]


async def test_a_valid_token_gives_tenant_scopes_and_schools(keys: Path) -> None:
    p = await verifier(keys).verify(token(keys, scopes=["hr:read"], schools=["s1"]))
    assert (p.tenant_id, p.scopes, p.schools) == ("t1", frozenset({"hr:read"}), frozenset({"s1"}))


def _claims() -> dict[str, object]:
    now = int(time.time())
    return {"iss": "improvenet", "aud": "improvenet", "sub": "x", "tenant": "t1", "exp": now + 60, "scope": "admin"}


@pytest.mark.parametrize("case", ["expired", "wrong audience", "wrong issuer", "alg none", "hs256 with public key",
                                  "tampered", "no tenant"])
async def test_bad_tokens_are_refused(keys: Path, case: str) -> None:
    public = (keys / "public.pem").read_bytes()
    if case == "expired":
        bad = token(keys, ttl_seconds=-10)
    elif case == "wrong audience":
        bad = token(keys, audience="someone-else")
    elif case == "wrong issuer":
        bad = token(keys, issuer="https://evil.example")
    elif case == "alg none":
        bad = jwt.encode(_claims(), None, algorithm="none")
    elif case == "hs256 with public key":
        import base64
        import hashlib
        import hmac
        import json

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).decode().rstrip("=")

        signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(
            json.dumps(_claims()).encode())
        signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
        bad = signing_input + "." + b64(signature)
    elif case == "tampered":
        good = token(keys)
        header, _body, sig = good.split(".")
        claims = jwt.decode(good, options={"verify_signature": False})
        claims["tenant"] = "another-tenant"
        import base64
        import json

        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        bad = f"{header}.{forged}.{sig}"
    else:
        private = (keys / "private.pem").read_bytes()
        from cryptography.hazmat.primitives import serialization

        claims = _claims()
        del claims["tenant"]
        bad = jwt.encode(claims, serialization.load_pem_private_key(private, None), algorithm="RS256")  # type: ignore[arg-type]
    with pytest.raises(Problem) as refused:
        await verifier(keys).verify(bad)
    assert refused.value.status == 401


def _jwks_of(private_pem: bytes, kid: str | None = None) -> dict[str, object]:
    from cryptography.hazmat.primitives import serialization

    from libs.common.auth import jwk_thumbprint

    key = serialization.load_pem_private_key(private_pem, None)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))  # type: ignore[arg-type]
    return {**jwk, "kid": kid or jwk_thumbprint(key.public_key()), "alg": "RS256", "use": "sig"}


async def test_the_published_jwks_supersedes_the_static_bootstrap_key(keys: Path,
                                                                      tmp_path: Path) -> None:
    """Rotation retires the bootstrap key everywhere: once the issuer's JWKS no longer lists it,
    a token it signed fails even though `public.pem` still holds it."""
    new = ensure_signing_keys(tmp_path)
    published: dict[str, list[dict[str, object]]] = {"keys": [_jwks_of((keys / "private.pem").read_bytes())]}

    async def jwks() -> dict[str, object]:
        return published  # type: ignore[return-value]

    issuer = Issuer("improvenet", "improvenet", public_keys=((keys / "public.pem").read_bytes(),))
    v = TokenVerifier([issuer], loaders={"improvenet": jwks})
    v.VERIFIED_CACHE_SECONDS = 0.0
    bootstrap_token = token(keys)
    assert (await v.verify(bootstrap_token)).tenant_id == "t1"  # still published: still good
    published["keys"] = [_jwks_of((new / "private.pem").read_bytes())]  # rotated, and the old key's tokens expired
    keyset = next(iter(v._issuers.values()))
    keyset.fetched_at = keyset.published_at = 0.0  # as if JWKS_MAX_AGE_SECONDS had passed
    with pytest.raises(Problem) as refused:
        await v.verify(bootstrap_token)
    assert refused.value.status == 401 and "key unknown" in refused.value.detail
    fresh = mint_token((new / "private.pem").read_bytes(), tenant="t1", issuer="improvenet", audience="improvenet",
                       scopes=["hr:read"])
    assert (await v.verify(fresh)).tenant_id == "t1"


async def test_static_keys_stay_the_fallback_until_a_jwks_is_fetched(keys: Path) -> None:
    async def unreachable() -> dict[str, object]:
        raise OSError("issuer down")

    issuer = Issuer("improvenet", "improvenet", public_keys=((keys / "public.pem").read_bytes(),))
    v = TokenVerifier([issuer], loaders={"improvenet": unreachable})
    assert (await v.verify(token(keys))).tenant_id == "t1"


async def test_a_revoked_client_is_refused_even_with_a_remembered_token(keys: Path) -> None:
    v = verifier(keys)
    good = token(keys, subject="cli_revoked")
    assert (await v.verify(good)).subject == "cli_revoked"  # now in the verified cache
    v.revocations.revoke("improvenet", "cli_revoked")
    with pytest.raises(Problem) as refused:
        await v.verify(good)
    assert refused.value.status == 401 and "revoked" in refused.value.detail
    assert (await v.verify(token(keys, subject="cli_other"))).subject == "cli_other"
    v.revocations.revoke("https://elsewhere.example", "cli_other")  # another issuer's subject of that name
    assert (await v.verify(token(keys, subject="cli_other"))).subject == "cli_other"


def test_revocations_are_forgotten_after_every_token_has_expired() -> None:
    from libs.common.auth import Principal, RevocationList

    now = [1_000_000.0]
    revoked = RevocationList(clock=lambda: now[0])
    revoked.revoke("improvenet", "old", now[0])
    now[0] += RevocationList.KEEP_SECONDS + 1
    revoked.revoke("improvenet", "new", now[0])
    p = Principal("old", "t", frozenset(), None, issuer="improvenet")
    assert not revoked.is_revoked(p) and len(revoked) == 1
