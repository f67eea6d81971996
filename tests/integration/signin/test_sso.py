"""Single sign-on through a district's OpenID Connect provider (a real one, on loopback): the gateway
as relying party with PKCE and nonce, then the console's authorization request continues."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import jwt

from libs.common.testing.oidc_provider import OidcProvider
from tests.integration.signin.conftest import CALLBACK, DISTRICT_DOMAIN, OPEN_DOMAIN, Browser, hidden_value, pkce


async def start_sso(browser: Browser, email: str, challenge: str) -> httpx.Response:
    """The sign-in page's district form, posted with the console's authorization request."""
    page = await browser.authorize(challenge)
    fields = {name: hidden_value(page.text, name) for name in
              ("response_type", "client_id", "redirect_uri", "code_challenge", "code_challenge_method", "state")}
    return await browser.client.post("/signin/sso", data={**fields, "csrf": hidden_value(page.text, "csrf"),
                                                          "email": email})


async def provider_answer(to_provider: str) -> str:
    """The provider's authorize, over real HTTP (no gateway cookies): the callback URL it sends back to."""
    async with httpx.AsyncClient() as outside:
        back = await outside.get(to_provider)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["location"])
    return f"{callback.path}?{callback.query}"


async def through_provider(browser: Browser, email: str, challenge: str) -> httpx.Response:
    """The SSO form, the provider's authorize (over real HTTP), and the callback at the gateway."""
    start = await start_sso(browser, email, challenge)
    if start.status_code != 303:
        return start
    to_provider = start.headers["location"]
    asked = {k: v[0] for k, v in parse_qs(urlsplit(to_provider).query).items()}
    assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
    assert asked["redirect_uri"] == "http://signin.test/signin/sso/callback"
    return await browser.client.get(await provider_answer(to_provider))


async def test_an_invited_person_signs_in_through_the_district(browser: Browser, provider: OidcProvider) -> None:
    email = f"maria@{DISTRICT_DOMAIN}"
    invited = await browser.invite(email, "coordinator")
    provider.user = {"sub": "district-42", "email": email.upper(), "email_verified": True}
    before = provider.token_requests
    verifier, challenge = pkce()
    back = await through_provider(browser, email, challenge)
    assert back.status_code == 303, back.text
    assert back.headers["location"].startswith(CALLBACK) and provider.token_requests == before + 1
    code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    tokens = (await browser.exchange(code, verifier)).json()
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["sub"] == invited["id"] and claims["role"] == "coordinator"
    assert tokens["scope"] == ("hr:read networks:read networks:write observations:read observations:write "
                               "strategy:read")
    person = (await browser.client.get(f"/api/v1/admin/people/{invited['id']}", headers=browser.admin())).json()
    assert person["status"] == "active"


async def test_an_unknown_email_is_refused_unless_the_provider_creates_people(
        browser: Browser, provider: OidcProvider) -> None:
    stranger = f"stranger@{DISTRICT_DOMAIN}"
    provider.user = {"sub": "s-1", "email": stranger, "email_verified": True}
    refused = await through_provider(browser, stranger, pkce()[1])
    assert refused.status_code == 403 and "Ask your administrator for an invitation" in refused.text
    assert (await browser.client.get("/api/v1/admin/people", headers=browser.admin())).json() == []

    newcomer = f"newcomer@{OPEN_DOMAIN}"
    provider.user = {"sub": "n-1", "email": newcomer, "email_verified": True}
    verifier, challenge = pkce()
    created = await through_provider(browser, newcomer, challenge)
    assert created.status_code == 303, created.text
    code = parse_qs(urlsplit(created.headers["location"]).query)["code"][0]
    claims = jwt.decode((await browser.exchange(code, verifier)).json()["access_token"],
                        options={"verify_signature": False})
    assert claims["role"] == "coordinator" and claims["tenant"] == "district-a"
    listed = (await browser.client.get("/api/v1/admin/people", headers=browser.admin())).json()
    assert [(p["email"], p["role"], p["status"]) for p in listed] == [(newcomer, "coordinator", "active")]


async def test_the_provider_must_vouch_for_the_email_and_the_domain_must_be_known(
        browser: Browser, provider: OidcProvider) -> None:
    email = f"unverified@{DISTRICT_DOMAIN}"
    await browser.invite(email)
    provider.user = {"sub": "u-9", "email": email, "email_verified": False}
    unverified = await through_provider(browser, email, pkce()[1])
    assert unverified.status_code == 400 and "no verified e-mail" in unverified.text

    provider.user = {"sub": "u-9", "email": email, "email_verified": True}
    provider.id_token_overrides = {"aud": "someone-else"}
    try:
        wrong_audience = await through_provider(browser, email, pkce()[1])
    finally:
        provider.id_token_overrides = {}
    assert wrong_audience.status_code == 400 and "does not verify" in wrong_audience.text

    nowhere = await through_provider(browser, "x@nowhere.example", pkce()[1])
    assert nowhere.status_code == 400
    assert "No district sign-in is set up for that address; use your password." in nowhere.text


async def test_a_callback_in_another_browser_is_refused(browser: Browser, provider: OidcProvider) -> None:
    email = f"bound@{DISTRICT_DOMAIN}"
    await browser.invite(email)
    provider.user = {"sub": "b-1", "email": email, "email_verified": True}
    callback = await provider_answer((await start_sso(browser, email, pkce()[1])).headers["location"])
    browser.client.cookies.delete("improvenet_sso")
    other_browser = await browser.client.get(callback)
    assert other_browser.status_code == 400 and "another browser" in other_browser.text


async def test_a_callback_used_once_cannot_be_used_again(browser: Browser, provider: OidcProvider) -> None:
    email = f"once@{DISTRICT_DOMAIN}"
    await browser.invite(email)
    provider.user = {"sub": "o-1", "email": email, "email_verified": True}
    callback = await provider_answer((await start_sso(browser, email, pkce()[1])).headers["location"])
    first = await browser.client.get(callback)
    assert first.status_code == 303
    replayed = await browser.client.get(callback)
    assert replayed.status_code == 400 and "expired" in replayed.text
