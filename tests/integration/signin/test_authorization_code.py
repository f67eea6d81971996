"""The console's sign-in: authorization code + PKCE at the gateway, rotating refresh tokens, replay
and reuse detection, revocation and sign-out, lockout and CSRF."""

from __future__ import annotations

import jwt

from tests.integration.signin.conftest import CALLBACK, PASSWORD, Browser, hidden_value, pkce, query_of


async def test_the_whole_flow_from_the_sign_in_page_to_an_api_call_and_refresh(browser: Browser) -> None:
    invited = await browser.person("Ana.Lopez@Riverside.example", display_name="Ana López")
    assert invited["status"] == "invited" and invited["email"] == "ana.lopez@riverside.example"

    verifier, challenge = pkce()
    page = await browser.authorize(challenge)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert '<html lang="en">' in page.text and page.text.count("<h1>") == 1
    assert 'autocomplete="username"' in page.text and 'autocomplete="current-password"' in page.text
    assert 'label for="email"' in page.text and 'label for="password"' in page.text
    csrf_cookie = page.headers["set-cookie"]
    assert "HttpOnly" in csrf_cookie and "SameSite=strict" in csrf_cookie.replace("Strict", "strict")
    state = hidden_value(page.text, "state")

    signed_in = await browser.post_signin(page.text, "ANA.LOPEZ@riverside.example", PASSWORD)
    assert signed_in.status_code == 303, signed_in.text
    location = signed_in.headers["location"]
    assert location.startswith(CALLBACK + "?")
    returned = query_of(location)
    assert returned["state"] == state and len(returned["code"]) >= 40

    issued = await browser.exchange(returned["code"], verifier)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900 and body["refresh_token"]
    assert body["scope"] == "hr:read networks:read observations:read observations:write"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == invited["id"] and claims["client_id"] == "improvenet-console"
    assert claims["tenant"] == "district-a" and claims["role"] == "observer" and claims["sid"]
    assert claims["exp"] - claims["iat"] == 900 and "schools" not in claims and "educator_id" not in claims
    assert "ana" not in str(claims).lower()  # ids only: never the e-mail

    assert (await browser.api(body["access_token"])).status_code == 201
    me = (await browser.me(body["access_token"])).json()
    assert me == {"person_id": invited["id"], "email": "ana.lopez@riverside.example", "display_name": "Ana López",
                  "role": "observer", "tenant": "district-a", "schools": None, "educator_id": None,
                  "scopes": ["hr:read", "networks:read", "observations:read", "observations:write"]}

    refreshed = await browser.refresh(body["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    second = refreshed.json()
    assert second["refresh_token"] != body["refresh_token"] and second["access_token"] != body["access_token"]
    assert jwt.decode(second["access_token"], options={"verify_signature": False})["sid"] == claims["sid"]
    assert (await browser.api(second["access_token"])).status_code == 201

    # the old refresh token again: refused, and its reuse ends the whole session
    reused = await browser.refresh(body["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert (await browser.refresh(second["refresh_token"])).json()["error"] == "invalid_grant"
    gone = await browser.api(second["access_token"])
    assert gone.status_code == 401 and "session ended" in gone.json()["detail"]


async def test_pkce_is_required_and_its_verifier_checked(browser: Browser) -> None:
    await browser.person("pk@riverside.example")
    missing = await browser.authorize(None)
    assert missing.status_code == 303
    refused = query_of(missing.headers["location"])
    assert missing.headers["location"].startswith(CALLBACK) and refused["error"] == "invalid_request"
    assert refused["state"].startswith("st-")
    _, challenge = pkce()
    plain = await browser.authorize(None, code_challenge=challenge, code_challenge_method="plain")
    assert plain.status_code == 303 and query_of(plain.headers["location"])["error"] == "invalid_request"

    code, _ = await browser.code("pk@riverside.example")
    other_verifier, _ = pkce()
    wrong = await browser.exchange(code, other_verifier)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert "code_verifier" in wrong.json()["error_description"]
    assert wrong.headers["content-type"] == "application/problem+json"

    code, verifier = await browser.code("pk@riverside.example")
    elsewhere = await browser.exchange(code, verifier, redirect_uri="http://signin.test/app/other")
    assert elsewhere.json()["error"] == "invalid_grant" and "redirect_uri" in elsewhere.json()["error_description"]


async def test_a_redirect_uri_not_allowed_is_refused_without_redirecting(browser: Browser) -> None:
    _, challenge = pkce()
    for uri in ("https://evil.example/app/callback", "http://signin.test/app/callback/../steal",
                "http://signin.test/app/callbackx"):
        r = await browser.authorize(challenge, redirect_uri=uri)
        assert r.status_code == 400 and "location" not in r.headers, uri
        assert "not valid" in r.text
    unknown_client = await browser.authorize(challenge, client_id="someone-else")
    assert unknown_client.status_code == 400 and "location" not in unknown_client.headers


async def test_a_replayed_code_is_refused_and_revokes_what_it_gave(browser: Browser) -> None:
    await browser.person("replay@riverside.example")
    code, verifier = await browser.code("replay@riverside.example")
    first = await browser.exchange(code, verifier)
    assert first.status_code == 200
    again = await browser.exchange(code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert (await browser.refresh(first.json()["refresh_token"])).json()["error"] == "invalid_grant"
    assert (await browser.me(first.json()["access_token"])).status_code == 401


async def test_revoking_a_refresh_token_and_revoking_the_person(browser: Browser) -> None:
    invited = await browser.person("rev@riverside.example")
    tokens = await browser.tokens("rev@riverside.example")
    revoked = await browser.client.post("/oauth/revoke", data={"token": tokens["refresh_token"],
                                                               "token_type_hint": "refresh_token",
                                                               "client_id": "improvenet-console"})
    assert revoked.status_code == 200
    assert (await browser.refresh(tokens["refresh_token"])).json()["error"] == "invalid_grant"
    assert (await browser.me(tokens["access_token"])).status_code == 401
    never = await browser.client.post("/oauth/revoke", data={"token": "no-such-token"})
    assert never.status_code == 200

    kept = await browser.tokens("rev@riverside.example")
    assert (await browser.me(kept["access_token"])).status_code == 200
    out = await browser.client.post(f"/api/v1/admin/people/{invited['id']}/revoke", headers=browser.admin())
    assert out.status_code == 204
    assert (await browser.me(kept["access_token"])).status_code == 401
    assert (await browser.api(kept["access_token"])).status_code == 401
    assert (await browser.refresh(kept["refresh_token"])).json()["error"] == "invalid_grant"
    _, challenge = pkce()
    blocked = await browser.sign_in("rev@riverside.example", PASSWORD, challenge)
    assert blocked.status_code == 400 and "That e-mail and password do not match an account." in blocked.text
    person = (await browser.client.get(f"/api/v1/admin/people/{invited['id']}", headers=browser.admin())).json()
    assert person["status"] == "revoked" and person["revoked_at"]


async def test_sign_out_ends_the_session_at_the_gateway_and_the_proxy(browser: Browser, make_token: object) -> None:
    await browser.person("out@riverside.example")
    tokens = await browser.tokens("out@riverside.example")
    other = await browser.tokens("out@riverside.example")  # another device's session stays
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await browser.client.post("/oauth/signout", headers=auth)).status_code == 204
    me = await browser.me(tokens["access_token"])
    assert me.status_code == 401 and me.json()["detail"] == "token rejected: session ended"
    through = await browser.api(tokens["access_token"])
    assert through.status_code == 401 and "session ended" in through.json()["detail"]
    assert (await browser.refresh(tokens["refresh_token"])).json()["error"] == "invalid_grant"
    assert (await browser.me(other["access_token"])).status_code == 200

    machine = {"Authorization": f"Bearer {browser.make_token('district-a', ['hr:read'])}"}
    not_person = await browser.client.get("/identity/me", headers=machine)
    assert not_person.status_code == 403 and not_person.json()["type"].endswith("not-a-person")
    assert (await browser.client.post("/oauth/signout", headers=machine)).status_code == 403
    assert (await browser.client.get("/api/v1/hr/echo/1", headers=machine)).status_code == 201


async def test_five_failures_lock_the_email_known_or_not_with_the_same_words(browser: Browser) -> None:
    await browser.person("lock@riverside.example")
    _, challenge = pkce()
    for email in ("lock@riverside.example", "nobody@riverside.example"):
        answers = [await browser.sign_in(email, "wrong password!", challenge) for _ in range(5)]
        assert [a.status_code for a in answers] == [400, 400, 400, 400, 429], email
        assert all("That e-mail and password do not match an account." in a.text for a in answers[:4])
        assert "Too many failed attempts; try again in 15 minutes." in answers[4].text
        assert 'role="alert"' in answers[4].text
    still = await browser.sign_in("lock@riverside.example", PASSWORD, challenge)
    assert still.status_code == 429 and "Too many failed attempts; try again in 15 minutes." in still.text


async def test_a_success_resets_the_count(browser: Browser) -> None:
    await browser.person("reset@riverside.example")
    _, challenge = pkce()
    for _ in range(4):
        assert (await browser.sign_in("reset@riverside.example", "wrong password!", challenge)).status_code == 400
    assert (await browser.sign_in("reset@riverside.example", PASSWORD, challenge)).status_code == 303
    for _ in range(4):
        assert (await browser.sign_in("reset@riverside.example", "wrong password!", challenge)).status_code == 400


async def test_a_form_whose_csrf_does_not_match_is_refused(browser: Browser) -> None:
    await browser.person("csrf@riverside.example")
    _, challenge = pkce()
    page = await browser.authorize(challenge)
    forged = page.text.replace(hidden_value(page.text, "csrf"), "x" * 43)
    r = await browser.post_signin(forged, "csrf@riverside.example", PASSWORD)
    assert r.status_code == 400 and "This form has expired" in r.text and "location" not in r.headers
    browser.client.cookies.clear()  # no cookie at all: a cross-site POST
    r = await browser.post_signin(page.text, "csrf@riverside.example", PASSWORD)
    assert r.status_code == 400 and "expired" in r.text
    fresh = await browser.authorize(challenge)
    assert (await browser.post_signin(fresh.text, "csrf@riverside.example", PASSWORD)).status_code == 303


async def test_scope_asks_for_less_and_an_extra_console_redirect_uri(browser: Browser) -> None:
    await browser.person("scope@riverside.example", role="coordinator")
    code, verifier = await browser.code("scope@riverside.example", scope="networks:read admin")
    body = (await browser.exchange(code, verifier)).json()
    assert body["scope"] == "networks:read"  # admin is not the coordinator's to have
    unknown = await browser.authorize(pkce()[1], scope="nothing:real")
    assert query_of(unknown.headers["location"])["error"] == "invalid_scope"
