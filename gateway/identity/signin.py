"""The pages people sign in on: `/oauth/authorize` (the console), `/device` (the command line),
`/signin` (e-mail and password), `/signin/sso` (a district's provider), `/signin/invitation`.

The pending authorization request travels in the forms' hidden fields and is checked again on every
POST (never trusted because it came back). Forms are protected by a double-submit CSRF token: a random
value in a SameSite=Strict, HttpOnly cookie and the same value in a hidden field. A wrong e-mail or
password gets one message, never which half was wrong; 5 consecutive failures lock the e-mail typed
(known or not) for 15 minutes (settings).

The gateway keeps no browser session of its own: a sign-in ends in an authorization code for the
console, or in the command line's Allow / Deny page (reached with a one-time ticket).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from gateway.identity import pages
from gateway.identity.passwords import new_password_problems
from gateway.identity.people import normal_email
from gateway.identity.pkce import CHALLENGE
from gateway.identity.public_clients import CONSOLE, origin_of, redirect_uri_allowed
from gateway.identity.roles import role_problem
from gateway.identity.sessions import normal_user_code, shown_user_code
from gateway.identity.sso import SsoRefused
from gateway.identity.tokens import new_secret
from libs.common.problems import Problem

log = logging.getLogger(__name__)
CSRF_COOKIE = "improvenet_csrf"
SSO_COOKIE = "improvenet_sso"
CODE_FIELDS = ("response_type", "client_id", "redirect_uri", "code_challenge", "code_challenge_method", "state",
               "scope")
FORM_EXPIRED = "This form has expired. Go back, reload the page and try again."
NO_PROVIDER = "No district sign-in is set up for that address; use your password."
ASK_FOR_INVITATION = "Ask your administrator for an invitation."
router = APIRouter(include_in_schema=False)


# --- forms, CSRF ---------------------------------------------------------------------------------

async def form_of(request: Request) -> dict[str, str]:
    try:
        parsed = parse_qs((await request.body()).decode(), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise Problem(400, "Bad request", "the form is not UTF-8", slug="malformed-form") from exc
    return {k: v[0] for k, v in parsed.items()}


def csrf_of(request: Request) -> str:
    """The browser's CSRF token (kept while it has one, so two open tabs both work) or a new one."""
    current = request.cookies.get(CSRF_COOKIE, "")
    return current if len(current) == 43 else new_secret()


def with_csrf(response: Response, request: Request, csrf: str) -> Response:
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return response


def csrf_ok(request: Request, form: Mapping[str, str]) -> bool:
    cookie, sent = request.cookies.get(CSRF_COOKIE, ""), form.get("csrf", "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), sent.encode())


def expired_form() -> Response:
    return pages.message("This form has expired", FORM_EXPIRED, 400)


# --- the pending request: the console's authorization request, or a device's user code ------------

def pending_of(values: Mapping[str, str]) -> dict[str, str]:
    if values.get("user_code"):
        return {"user_code": normal_user_code(values["user_code"])}
    return {k: values[k] for k in CODE_FIELDS if values.get(k)}


def error_redirect(redirect_uri: str, state: str | None, error: str, description: str) -> Response:
    query = {"error": error, "error_description": description, **({"state": state} if state else {})}
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(query)}", status_code=303,
                            headers=pages.HEADERS)


def authorization_refusal(request: Request, p: Mapping[str, str]) -> Response | None:
    """RFC 6749 §4.1.2.1: with an unknown client or redirect URI, say so here and never redirect;
    past that, errors go back to the (now trusted) redirect URI."""
    if p.get("client_id") != CONSOLE:
        return pages.message("This sign-in link is not valid", "The application asking you to sign in is not "
                             "known here.", 400)
    redirect_uri = p.get("redirect_uri", "")
    if not redirect_uri_allowed(request, redirect_uri):
        return pages.message("This sign-in link is not valid", "The address to return to after signing in is "
                             "not one this application may use.", 400)
    state = p.get("state")
    if p.get("response_type") != "code":
        return error_redirect(redirect_uri, state, "unsupported_response_type", "response_type must be code")
    if not CHALLENGE.match(p.get("code_challenge", "")) or p.get("code_challenge_method") != "S256":
        return error_redirect(redirect_uri, state, "invalid_request",
                              "PKCE is required: code_challenge with code_challenge_method=S256")
    scope = p.get("scope")
    if scope and not set(scope.split()) <= set(request.app.state.settings.scopes):
        return error_redirect(redirect_uri, state, "invalid_scope", "unknown scope requested")
    return None


async def pending_refusal(request: Request, pending: Mapping[str, str]) -> Response | None:
    if "user_code" in pending:
        if await request.app.state.sessions.pending_device(pending["user_code"]) is None:
            return pages.device_code("That code is not valid or has expired; check your terminal.", 400)
        return None
    return authorization_refusal(request, pending)


async def continue_as(request: Request, person: dict[str, Any], pending: Mapping[str, str]) -> Response:
    """The person is who they said: a code for the console, or the command line's Allow / Deny page."""
    sessions = request.app.state.sessions
    if "user_code" in pending:
        ticket = await sessions.device_ticket(pending["user_code"], person["id"])
        if ticket is None:
            return pages.device_code("That code has expired; start again in your terminal.", 400)
        csrf = csrf_of(request)
        return with_csrf(pages.device_confirm(ticket, csrf, shown_user_code(pending["user_code"])), request, csrf)
    code = await sessions.issue_code(person["id"], CONSOLE, pending["redirect_uri"], pending["code_challenge"],
                                     pending.get("scope"))
    query = {"code": code, **({"state": pending["state"]} if pending.get("state") else {})}
    separator = "&" if "?" in pending["redirect_uri"] else "?"
    return RedirectResponse(f"{pending['redirect_uri']}{separator}{urlencode(query)}", status_code=303,
                            headers=pages.HEADERS)


def signin_page(request: Request, pending: Mapping[str, str], *, status: int = 200, **kw: Any) -> Response:
    csrf = csrf_of(request)
    return with_csrf(pages.signin(pending, csrf, status=status, device="user_code" in pending, **kw), request, csrf)


# --- e-mail and password -------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    person: dict[str, Any] | None = None
    locked_minutes: int | None = None


def locked_text(minutes: int) -> str:
    return f"Too many failed attempts; try again in {minutes} minute{'s' if minutes != 1 else ''}."


async def check_password(request: Request, email: str, password: str) -> Outcome:
    state = request.app.state
    minutes = await state.lockout.locked_minutes(email)
    if minutes is not None:
        return Outcome(locked_minutes=minutes)
    person = await state.people.by_email(email)
    usable = person is not None and person["status"] == "active" and person["password_hash"]
    stored = person["password_hash"] if usable and person is not None else None
    if not await state.passwords.verify(stored, password):  # the decoy's time when there is no such account
        return Outcome(locked_minutes=await state.lockout.failed(email))
    assert person is not None and stored is not None
    await state.lockout.succeeded(email)
    if state.passwords.needs_rehash(stored):  # the parameters changed since this hash was made
        await state.people.set_password_hash(person["id"], await state.passwords.hash(password))
    return Outcome(person=person)


@router.get("/oauth/authorize")
async def authorize(request: Request) -> Response:
    pending = pending_of(dict(request.query_params))
    pending.pop("user_code", None)
    refusal = authorization_refusal(request, pending)
    return refusal or signin_page(request, pending)


async def sign_in_form(request: Request) -> tuple[dict[str, str], dict[str, str], Response | None]:
    """Both sign-in forms (password, district): the CSRF pair checked, then the authorization request they
    carry; the response to send instead when either fails."""
    form = await form_of(request)
    if not csrf_ok(request, form):
        return form, {}, expired_form()
    pending = pending_of(form)
    return form, pending, await pending_refusal(request, pending)


@router.post("/signin")
async def signin(request: Request) -> Response:
    form, pending, refusal = await sign_in_form(request)
    if refusal is not None:
        return refusal
    email = normal_email(form.get("email", ""))
    outcome = await check_password(request, email, form.get("password", ""))
    if outcome.person is None:
        if outcome.locked_minutes is not None:
            return signin_page(request, pending, email=email, error=locked_text(outcome.locked_minutes), status=429)
        return signin_page(request, pending, email=email, error=pages.SIGNIN_FAILED, status=400)
    return await continue_as(request, outcome.person, pending)


# --- the command line's device flow --------------------------------------------------------------

@router.get("/device")
async def device(request: Request) -> Response:
    user_code = request.query_params.get("user_code")
    if not user_code:
        return pages.device_code()
    pending = {"user_code": normal_user_code(user_code)}
    return await pending_refusal(request, pending) or signin_page(request, pending)


@router.post("/device/confirm")
async def device_confirm(request: Request) -> Response:
    form = await form_of(request)
    if not csrf_ok(request, form):
        return expired_form()
    allow = form.get("decision") == "allow"
    if not await request.app.state.sessions.decide_device(form.get("ticket", ""), allow):
        return pages.message("This request has expired", "Start again in your terminal.", 400)
    if allow:
        return pages.message("The command line is connected", "You can close this page and return to your "
                             "terminal.")
    return pages.message("Request denied", "The command line was not connected. You can close this page.")


# --- invitations ---------------------------------------------------------------------------------

INVITATION_GONE = ("This invitation link has expired or was already used. Ask your administrator for a new "
                   "one.")


@router.get("/signin/invitation")
async def invitation(request: Request) -> Response:
    token = request.query_params.get("token", "")
    person = await request.app.state.people.invited_by(token) if token else None
    if person is None:
        return pages.message("This invitation no longer works", INVITATION_GONE, 400)
    csrf = csrf_of(request)
    return with_csrf(pages.invitation(token, csrf, person["email"]), request, csrf)


@router.post("/signin/invitation")
async def accept_invitation(request: Request) -> Response:
    form = await form_of(request)
    if not csrf_ok(request, form):
        return expired_form()
    state, token = request.app.state, form.get("token", "")
    person = await state.people.invited_by(token) if token else None
    if person is None:
        return pages.message("This invitation no longer works", INVITATION_GONE, 400)
    problems = new_password_problems(form.get("password", ""), form.get("confirm", ""), person["email"])
    if problems:
        csrf = csrf_of(request)
        return with_csrf(pages.invitation(token, csrf, person["email"], problems, 400), request, csrf)
    if await state.people.accept_invitation(token, await state.passwords.hash(form["password"])) is None:
        return pages.message("This invitation no longer works", INVITATION_GONE, 400)
    return pages.message("Your password is set", "Now sign in with your e-mail and this password.",
                         link=("/app/", "Now sign in"))


# --- a district's provider -----------------------------------------------------------------------

def sso_callback_uri(request: Request) -> str:
    return f"{origin_of(request)}/signin/sso/callback"


@router.post("/signin/sso")
async def start_sso(request: Request) -> Response:
    form, pending, refusal = await sign_in_form(request)
    if refusal is not None:
        return refusal
    email = normal_email(form.get("email", ""))
    sso = request.app.state.sso
    provider = sso.provider_for(email)
    if provider is None:
        return signin_page(request, pending, email=email, sso_error=NO_PROVIDER, status=400)
    try:
        url, binding = await sso.begin(provider, pending, sso_callback_uri(request))
    except SsoRefused as exc:
        return signin_page(request, pending, email=email, sso_error=str(exc), status=502)
    response = RedirectResponse(url, status_code=303, headers=pages.HEADERS)
    response.set_cookie(SSO_COOKIE, binding, httponly=True, samesite="lax", path="/signin/sso",
                        secure=request.url.scheme == "https", max_age=600)
    return response


@router.get("/signin/sso/callback")
async def sso_callback(request: Request) -> Response:
    query = request.query_params
    if query.get("error") or not query.get("code") or not query.get("state"):
        return pages.message("District sign-in did not complete", "Your district's sign-in was cancelled or "
                             "refused. Go back and try again, or use your password.", 400)
    state = request.app.state
    try:
        result = await state.sso.complete(query["state"], query["code"], request.cookies.get(SSO_COOKIE, ""),
                                          sso_callback_uri(request))
    except SsoRefused as exc:
        return pages.message("District sign-in did not complete", str(exc), 400)
    person = await state.people.by_email(result.email)
    if person is not None and (person["tenant_id"] != result.provider.tenant or person["status"] == "revoked"):
        person = None  # someone of another tenant, or revoked: not this provider's to sign in
    elif person is not None and person["status"] == "invited":
        await state.people.activate(person["id"])
        person = await state.people.by_id(person["id"])
    elif person is None and result.provider.create_people:
        person = await create_from_provider(request, result.email, result.provider.default_role,
                                            result.provider.tenant)
    if person is None:
        return pages.message("You have no account here yet", ASK_FOR_INVITATION, 403)
    refusal = await pending_refusal(request, result.pending)
    return refusal or await continue_as(request, person, result.pending)


async def create_from_provider(request: Request, email: str, role: str, tenant: str) -> dict[str, Any] | None:
    if role_problem(role, None) is not None:  # e.g. a principal needs schools: an admin must invite them
        log.warning("sign-in provider of tenant %s has default_role %s, which needs schools", tenant, role)
        return None
    people = request.app.state.people
    created, _, _ = await people.create(tenant, email, role, None, None, None, status="active")
    return await people.by_id(created["id"])  # type: ignore[no-any-return]
