"""Inviting people (admin API), choosing a password, the principal's school limit, and the command
line's device authorization grant."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
from sqlalchemy import text

from tests.integration.signin.conftest import PASSWORD, Browser, hidden_value

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SCHOOL = "00000000-0000-4000-8000-0000000000b1"
OTHER_SCHOOL = "00000000-0000-4000-8000-0000000000b2"


async def replicate_school(browser: Browser, tenant: str, school: str) -> None:
    async with browser.app.state.engine.begin() as conn:  # what the directory consumer writes
        await conn.execute(text("INSERT INTO school_directory (tenant_id, school_id, name, version) "
                                "VALUES (:t, :s, 'a school', 1)"), {"t": tenant, "s": school})


async def test_an_invitation_becomes_a_password_then_a_sign_in(browser: Browser) -> None:
    invited = await browser.invite("new@riverside.example", "coordinator")
    assert invited["invitation_url"].startswith("http://signin.test/signin/invitation?token=")
    assert invited["invitation_expires_at"] > invited["created_at"]
    page = await browser.client.get(invited["invitation_url"])
    assert page.status_code == 200 and 'autocomplete="new-password"' in page.text
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"

    short = await browser.accept(invited["invitation_url"], "too short")
    assert short.status_code == 400 and "Use at least 12 characters." in short.text
    assert 'id="password-error" role="alert"' in short.text
    same = await browser.accept(invited["invitation_url"], "new@riverside.example")
    assert same.status_code == 400 and "cannot be your e-mail" in same.text
    differs = await browser.accept(invited["invitation_url"], PASSWORD, confirm=PASSWORD + "!")
    assert differs.status_code == 400 and 'id="confirm-error"' in differs.text
    # not yet a person who can sign in
    blocked = await browser.sign_in("new@riverside.example", PASSWORD, "A" * 43)
    assert blocked.status_code == 400

    done = await browser.accept(invited["invitation_url"])
    assert done.status_code == 200 and "Now sign in" in done.text and 'href="/app/"' in done.text
    again = await browser.client.get(invited["invitation_url"])
    assert again.status_code == 400 and "expired or was already used" in again.text
    tokens = await browser.tokens("new@riverside.example")
    assert "strategy:read" in tokens["scope"] and "networks:write" in tokens["scope"]
    person = (await browser.client.get(f"/api/v1/admin/people/{invited['id']}", headers=browser.admin())).json()
    assert person["status"] == "active" and person["activated_at"] and "invitation_url" not in person


async def test_people_belong_to_one_tenant_and_emails_are_unique(browser: Browser) -> None:
    invited = await browser.invite("one@riverside.example")
    other = browser.admin("district-b")
    assert (await browser.client.get(f"/api/v1/admin/people/{invited['id']}", headers=other)).status_code == 404
    assert (await browser.client.post(f"/api/v1/admin/people/{invited['id']}/revoke", headers=other)).status_code == 404
    assert (await browser.client.get("/api/v1/admin/people", headers=other)).json() == []
    listed = (await browser.client.get("/api/v1/admin/people", headers=browser.admin())).json()
    assert [p["id"] for p in listed] == [invited["id"]]

    twice = await browser.client.post("/api/v1/admin/people",
                                      json={"email": "ONE@Riverside.Example", "role": "observer"}, headers=other)
    assert twice.status_code == 409 and twice.json()["errors"][0]["field"] == "email"
    bad = await browser.client.post("/api/v1/admin/people", json={"email": "not-an-email", "role": "observer"},
                                    headers=browser.admin())
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    role = await browser.client.post("/api/v1/admin/people", json={"email": "r@riverside.example", "role": "king"},
                                     headers=browser.admin())
    assert role.status_code == 422 and role.json()["errors"][0]["field"] == "role"
    no_school = await browser.client.post("/api/v1/admin/people", json={"email": "p@riverside.example",
                                                                    "role": "principal"}, headers=browser.admin())
    assert no_school.status_code == 400 and no_school.json()["errors"][0]["field"] == "schools"
    unknown_school = await browser.client.post("/api/v1/admin/people", json={
        "email": "p@riverside.example", "role": "principal", "schools": [SCHOOL]}, headers=browser.admin())
    assert unknown_school.status_code == 422 and unknown_school.json()["errors"][0]["field"] == "schools[0]"
    not_admin = {"Authorization": f"Bearer {browser.make_token('district-a', ['hr:read'])}"}
    assert (await browser.client.get("/api/v1/admin/people", headers=not_admin)).status_code == 403
    limited = {"Authorization": f"Bearer {browser.make_token('district-a', ['admin'], schools=[SCHOOL])}"}
    assert (await browser.client.get("/api/v1/admin/people", headers=limited)).status_code == 403


async def test_a_principals_token_is_limited_to_their_school(browser: Browser) -> None:
    await replicate_school(browser, "district-a", SCHOOL)
    await replicate_school(browser, "district-b", OTHER_SCHOOL)
    elsewhere = await browser.client.post("/api/v1/admin/people", json={
        "email": "p@riverside.example", "role": "principal", "schools": [OTHER_SCHOOL]}, headers=browser.admin())
    assert elsewhere.status_code == 422  # another tenant's school is no school
    await browser.person("p@riverside.example", "principal", schools=[SCHOOL])
    tokens = await browser.tokens("p@riverside.example")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["schools"] == [SCHOOL] and claims["role"] == "principal"
    scopes = set(claims["scope"].split())
    assert {"observations:identify", "observations:write", "networks:write", "strategy:read", "hr:read"} <= scopes
    assert not scopes & {"admin", "hr:write", "hr:pii", "strategy:write", "events:read"}
    assert (await browser.me(tokens["access_token"])).json()["schools"] == [SCHOOL]


async def test_a_district_admin_person_manages_people(browser: Browser) -> None:
    await browser.person("boss@riverside.example", "district-admin")
    tokens = await browser.tokens("boss@riverside.example")
    assert "admin" in tokens["scope"].split() and "events:read" not in tokens["scope"].split()
    r = await browser.client.post("/api/v1/admin/people", json={"email": "x@riverside.example", "role": "observer"},
                                  headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 201


# --- the device flow ---------------------------------------------------------------------------

async def start_device(browser: Browser) -> dict[str, Any]:
    r = await browser.client.post("/oauth/device_authorization", data={"client_id": "improvenet-cli"})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def poll(browser: Browser, device_code: str) -> Any:
    return await browser.client.post("/oauth/token", data={"grant_type": DEVICE_GRANT, "device_code": device_code,
                                                           "client_id": "improvenet-cli"})


async def answer(browser: Browser, user_code: str, decision: str, email: str) -> str:
    page = await browser.client.get(f"/device?user_code={user_code.lower()}")
    assert page.status_code == 200 and "command line" in page.text
    confirm = await browser.post_signin(page.text, email, PASSWORD)
    assert confirm.status_code == 200 and "Allow the improvenet command line to act as you?" in confirm.text
    done = await browser.client.post("/device/confirm", data={"ticket": hidden_value(confirm.text, "ticket"),
                                                              "csrf": hidden_value(confirm.text, "csrf"),
                                                              "decision": decision})
    assert done.status_code == 200
    return done.text


async def test_the_device_flow_from_pending_to_tokens(browser: Browser) -> None:
    invited = await browser.person("cli@riverside.example", "coordinator")
    started = await start_device(browser)
    code = started["user_code"]
    assert len(code) == 9 and code[4] == "-" and code.replace("-", "").isalpha() and code.isupper()
    assert started["verification_uri"] == "http://signin.test/device"
    assert started["verification_uri_complete"] == f"http://signin.test/device?user_code={code}"
    assert started["expires_in"] == 600 and started["interval"] == 1

    pending = await poll(browser, started["device_code"])
    assert pending.status_code == 400 and pending.json()["error"] == "authorization_pending"
    assert "connected" in await answer(browser, code, "allow", "cli@riverside.example")
    await asyncio.sleep(1.1)
    issued = await poll(browser, started["device_code"])
    assert issued.status_code == 200, issued.text
    body = issued.json()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == invited["id"] and claims["client_id"] == "improvenet-cli" and body["refresh_token"]
    assert (await browser.api(body["access_token"])).status_code == 201
    assert (await browser.refresh(body["refresh_token"], "improvenet-cli")).status_code == 200
    await asyncio.sleep(1.1)
    assert (await poll(browser, started["device_code"])).json()["error"] == "invalid_grant"  # once only


async def test_the_device_flow_denied_and_polled_too_fast(browser: Browser) -> None:
    await browser.person("deny@riverside.example")
    started = await start_device(browser)
    assert (await poll(browser, started["device_code"])).json()["error"] == "authorization_pending"
    fast = await poll(browser, started["device_code"])
    assert fast.status_code == 400 and fast.json()["error"] == "slow_down"
    assert "denied" in (await answer(browser, started["user_code"], "deny", "deny@riverside.example")).lower()
    await asyncio.sleep(6.1)  # the interval grew by 5 s with slow_down
    denied = await poll(browser, started["device_code"])
    assert denied.json()["error"] == "access_denied"

    unknown = await browser.client.get("/device?user_code=BBBB-BBBB")
    assert unknown.status_code == 400 and "not valid or has expired" in unknown.text
    wrong_client = await browser.client.post("/oauth/device_authorization", data={"client_id": "improvenet-console"})
    assert wrong_client.status_code == 401 and wrong_client.json()["error"] == "invalid_client"
    assert (await browser.client.get("/device")).status_code == 200
