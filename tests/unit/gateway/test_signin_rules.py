"""The rules of people signing in that need no database: roles and scopes, PKCE, user codes,
passwords."""

from __future__ import annotations

import base64
import hashlib

import pytest

from gateway.identity.passwords import Passwords, new_password_problems
from gateway.identity.pkce import verifier_matches
from gateway.identity.roles import ROLES, role_problem, scopes_for
from gateway.identity.sessions import USER_CODE_ALPHABET, new_user_code, normal_user_code, shown_user_code
from improvenet.registry import ALL_SCOPES


def test_an_observer_and_a_coordinator_get_exactly_their_scopes() -> None:
    assert scopes_for("observer", ALL_SCOPES) == ["hr:read", "networks:read", "observations:read",
                                                  "observations:write"]
    assert scopes_for("coordinator", ALL_SCOPES) == ["hr:read", "networks:read", "networks:write",
                                                     "observations:read", "observations:write", "strategy:read"]


def test_a_principal_reads_everything_and_writes_observations_and_networks() -> None:
    assert scopes_for("principal", ALL_SCOPES) == [
        "hr:read", "networks:read", "networks:write", "observations:identify", "observations:read",
        "observations:write", "strategy:read"]


def test_a_district_admin_has_every_scope_but_the_partner_feed() -> None:
    granted = scopes_for("district-admin", ALL_SCOPES)
    assert set(granted) == set(ALL_SCOPES) - {"events:read"} and "admin" in granted and "hr:pii" in granted


def test_a_service_added_later_gives_its_read_to_the_principal_only_if_it_exists() -> None:
    assert "library:read" in scopes_for("principal", [*ALL_SCOPES, "library:read"])
    assert "library:read" not in scopes_for("coordinator", [*ALL_SCOPES, "library:read"])
    assert scopes_for("observer", ["hr:read"]) == ["hr:read"]  # never a scope the platform lacks
    with pytest.raises(ValueError, match="unknown role"):
        scopes_for("superuser", ALL_SCOPES)


def test_roles_and_schools_go_together() -> None:
    assert ROLES == ("observer", "coordinator", "principal", "district-admin")
    assert role_problem("principal", None) == ("schools", "a principal must be given at least one school")
    assert role_problem("principal", []) is not None and role_problem("principal", ["s"]) is None
    assert role_problem("district-admin", ["s"])[0] == "schools"  # type: ignore[index]
    assert role_problem("observer", None) is None and role_problem("king", None)[0] == "role"  # type: ignore[index]


def test_pkce_s256() -> None:
    verifier = "a" * 20 + "-._~" + "B" * 30
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert verifier_matches(verifier, challenge)
    assert not verifier_matches(verifier + "x", challenge)
    assert not verifier_matches(challenge, challenge)  # `plain` is not accepted
    assert not verifier_matches("short", challenge)  # RFC 7636: 43 to 128 characters


def test_user_codes_are_eight_unambiguous_letters() -> None:
    codes = {new_user_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and set(c) <= set(USER_CODE_ALPHABET) for c in codes)
    assert not set(USER_CODE_ALPHABET) & set("AEIOU01")
    assert shown_user_code("WDJBMJHT") == "WDJB-MJHT" and normal_user_code("wdjb-mjht ") == "WDJBMJHT"


def test_new_passwords() -> None:
    assert new_password_problems("short", "short", "a@b.example") == {"password": "Use at least 12 characters."}
    assert "password" in new_password_problems("Someone@Long.example", "Someone@Long.example", "someone@long.example")
    assert new_password_problems("a long enough one", "a long enough 1", "a@b.example") == {
        "confirm": "The two passwords differ."}
    assert new_password_problems("a long enough one", "a long enough one", "a@b.example") == {}


async def test_argon2id_hashes_verify_and_rehash_when_parameters_change() -> None:
    cheap = Passwords(time_cost=1, memory_kib=1024, parallelism=1)
    stored = await cheap.hash("a long enough one")
    assert stored.startswith("$argon2id$")
    assert await cheap.verify(stored, "a long enough one")
    assert not await cheap.verify(stored, "a long enough two")
    assert not await cheap.verify(None, "a long enough one")  # no account: the decoy, and no
    assert not await cheap.verify("not a hash", "a long enough one")
    assert not cheap.needs_rehash(stored)
    assert Passwords(time_cost=2, memory_kib=1024, parallelism=1).needs_rehash(stored)
