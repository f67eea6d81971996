"""The asynchronous SDK, generated from `_sync_client.py` by `python -m improvenet_client._unasync`:
do not edit by hand."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import httpx

from improvenet_client import models as m
from improvenet_client import operations as ops
from improvenet_client._core import (
    CLI_CLIENT_ID,
    DEVICE_GRANT,
    DEVICE_WAITING,
    RETRIED_STATUSES,
    PersonTokens,
    RetryPolicy,
    Token,
    TokenStore,
    call_headers,
    decode,
    device_poll_error,
    may_retry_after_transport_error,
    path_of,
    raise_for_problem,
    refresh_margin,
)
from improvenet_client.errors import GatewayUnreachable, ProblemError
from improvenet_client.operations import Operation

T = TypeVar("T")
Body = Mapping[str, Any]
Json = dict[str, Any]  # an answer the SDK does not spell out as a TypedDict
FEED_GRACE_SECONDS = 15.0  # a long-poll's answer may come this long after its `wait` (a busy gateway)


def _query(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if v is not None and v != []}


def _feed_query(after: str, types: Sequence[str] | None, limit: int, wait: float) -> dict[str, Any]:
    """The feed's query: its types are one comma-separated parameter, not a repeated one."""
    return {"after": after, "types": ",".join(types) if types else None, "limit": limit, "wait": wait}


class AsyncClient:
    """One gateway, one client's credentials (OAuth2 client credentials, renewed before they expire), a
    signed-in person's tokens (`person`: a TokenStore filled by the device flow, refreshed and rotated), or a
    ready-made `token`. Creating calls carry an `Idempotency-Key`; 429 and 503 are retried as `Retry-After`
    says; refusals raise `ProblemError`, no answer at all `GatewayUnreachable`.

        async with AsyncClient("http://127.0.0.1:8000", "cli_...", "secret") as api:
            async for c in api.iter_commitments(status="open"):
                print(c["due_on"], c["description"])
    """

    def __init__(self, gateway: str, client_id: str | None = None, client_secret: str | None = None, *,
                 token: str | None = None, person: TokenStore | None = None, scope: str | None = None,
                 retry: RetryPolicy | None = None,
                 timeout: float = 30.0, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.gateway = gateway.rstrip("/")
        self._client_id, self._client_secret, self._scope = client_id, client_secret, scope
        self._static_token = token
        self._person = person  # a signed-in person (device flow) instead of a machine's credentials
        if person is not None and client_id is None:
            self._client_id = CLI_CLIENT_ID
        self._token: Token | None = None
        self._margin = 60.0
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.AsyncClient(base_url=self.gateway, timeout=timeout, transport=transport,
                                  headers={"User-Agent": "improvenet-client/0.1"})

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- the mechanics ---------------------------------------------------------------------------------
    async def _send(self, method: str, url: str, *, headers: dict[str, str], **kw: Any) -> httpx.Response:
        """Send, retrying 429/503 (as Retry-After says) and transport errors that are safe to repeat; the
        same headers, so the same Idempotency-Key, on every attempt."""
        request_headers = httpx.Headers(headers)
        for attempt in range(self._retry.attempts):
            last = attempt == self._retry.attempts - 1
            try:
                response = await self._http.request(method, url, headers=request_headers, **kw)
            except httpx.TransportError as error:
                if last or not may_retry_after_transport_error(method, request_headers, error):
                    raise GatewayUnreachable(self.gateway, error) from error
                await self._sleep(self._retry.wait(attempt, None))
                continue
            if response.status_code in RETRIED_STATUSES and not last:
                await self._sleep(self._retry.wait(attempt, response))
                continue
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _fetch_token(self, refused: str | None = None) -> None:
        if self._person is not None:
            await self._person_token(self._person, refused)
            return
        data = {"grant_type": "client_credentials", **({"scope": self._scope} if self._scope else {})}
        response = await self._send("POST", "/oauth/token", headers={}, data=data,
                              auth=(self._client_id or "", self._client_secret or ""))
        raise_for_problem(response)
        body = response.json()
        expires_in = float(body.get("expires_in", 3600))
        self._margin = refresh_margin(expires_in)
        self._token = Token(body["access_token"], time.monotonic() + expires_in)

    async def _bearer(self, *, renew: bool = False) -> str | None:
        if self._static_token is not None:
            return self._static_token
        if self._client_id is None:
            return None
        if renew or self._token is None or not self._token.fresh(self._margin):
            await self._fetch_token(self._token.value if renew and self._token is not None else None)
        assert self._token is not None
        return self._token.value

    async def _call(self, op: Operation[T], *, path: Mapping[str, Any] | None = None,
              params: Mapping[str, Any] | None = None, json: Any = None, if_match: str | int | None = None,
              idempotency_key: str | None = None, content: bytes | None = None,
              content_type: str | None = None, timeout: float | None = None) -> T:
        headers = call_headers(op, if_match=if_match, idempotency_key=idempotency_key)
        url, query = path_of(op, dict(path or {})), _query(params)
        body: dict[str, Any] = {} if json is None else {"json": json}
        if content is not None:  # a file set as it is (a OneRoster zip)
            body = {"content": content}
            headers = {**headers, "Content-Type": content_type or "application/octet-stream"}
        if timeout is not None:  # a long-poll: the server may rightly keep the answer longer than usual
            body["timeout"] = timeout
        renewed = False
        while True:
            token = await self._bearer(renew=renewed)
            auth = {"Authorization": f"Bearer {token}"} if token else {}
            response = await self._send(op.method, url, headers={**headers, **auth}, params=query, **body)
            # a token revoked or signed by a retired key: get a new one once, then let the 401 through
            if response.status_code == 401 and not renewed and self._client_id is not None:
                renewed = True
                continue
            raise_for_problem(response)
            return cast(T, response.content if op.result is bytes else decode(response))

    async def _pages(self, op: Operation[Any], path: Mapping[str, Any] | None = None,
               params: Mapping[str, Any] | None = None, page_size: int = 100) -> AsyncIterator[Any]:
        """Every item of a cursor-paged list: `page_token` from the last page's `next_page_token`."""
        query = {**_query(params), "page_size": page_size}
        while True:
            page = cast(dict[str, Any], await self._call(op, path=path, params=query))
            for item in page["items"]:
                yield item
            token = page.get("next_page_token")
            if not token:
                return
            query["page_token"] = token

    async def _person_token(self, store: TokenStore, refused: str | None) -> None:
        """A person's access token: the stored one while it lasts (another process may have just renewed
        it), else a refresh. Under the store's lock: the gateway treats a rotated refresh token spent twice
        as stolen and ends the session, so two commands of one profile must never both spend it."""
        with store.locked():
            tokens = store.load()
            if tokens is None:
                raise ProblemError(401, "Not signed in", detail="no sign-in is saved for this profile; sign in "
                                   "again (`improvenet login`)")
            if not tokens.usable(refused):
                data = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token,
                        "client_id": self._client_id or CLI_CLIENT_ID}
                response = await self._send("POST", "/oauth/token", headers={}, data=data)
                raise_for_problem(response)
                body = response.json()
                lifetime = float(body.get("expires_in", 900))
                tokens = PersonTokens(body.get("refresh_token") or tokens.refresh_token, body["access_token"],
                                      time.time() + lifetime, lifetime)
                store.save(tokens)
            assert tokens.access_token is not None
            self._margin = refresh_margin(tokens.lifetime)
            self._token = Token(tokens.access_token, time.monotonic() + tokens.expires_at - time.time())

    async def start_device_login(self, scope: str | None = None) -> dict[str, Any]:
        """Sign a person in (RFC 8628), step 1: show them `verification_uri_complete` (or `verification_uri`
        and `user_code`), then call `poll_device_login` every `interval` seconds."""
        data = {"client_id": self._client_id or CLI_CLIENT_ID, **({"scope": scope} if scope else {})}
        response = await self._send("POST", "/oauth/device_authorization", headers={}, data=data)
        raise_for_problem(response)
        return cast(dict[str, Any], response.json())

    async def poll_device_login(self, device_code: str) -> dict[str, Any] | str:
        """Step 2, once: the tokens when the person has allowed it, else `"authorization_pending"` or
        `"slow_down"` (wait 5 s longer from now on). Denied or expired raises `ProblemError`."""
        data = {"grant_type": DEVICE_GRANT, "device_code": device_code, "client_id": self._client_id or CLI_CLIENT_ID}
        response = await self._send("POST", "/oauth/token", headers={}, data=data)
        if response.status_code == 400 and (error := device_poll_error(response)) in DEVICE_WAITING:
            return cast(str, error)
        raise_for_problem(response)
        return cast(dict[str, Any], response.json())

    async def me(self) -> dict[str, Any]:
        """Who the token speaks for: a person's id, role, schools and educator id (`/identity/me`)."""
        token = await self._bearer()
        response = await self._send("GET", "/identity/me", headers={"Authorization": f"Bearer {token}"})
        raise_for_problem(response)
        return cast(dict[str, Any], response.json())

    async def sign_out(self) -> None:
        """End this person's session at the gateway: its refresh token and access tokens stop working."""
        token = await self._bearer()
        response = await self._send("POST", "/oauth/signout", headers={"Authorization": f"Bearer {token}"})
        raise_for_problem(response)

    async def authenticate(self) -> None:
        """Get a token now: wrong credentials raise here (`ProblemError`, 401), not on the first call."""
        await self._bearer(renew=True)

    # --- hr --------------------------------------------------------------------------------------------
    async def create_school(self, body: Body) -> m.School:
        return await self._call(ops.CREATE_SCHOOL, json=body)

    async def get_school(self, school_id: str) -> m.School:
        return await self._call(ops.GET_SCHOOL, path={"record_id": school_id})

    async def list_schools(self, page_token: str | None = None, page_size: int = 50,
                     **filters: Any) -> m.Page[m.School]:
        return await self._call(ops.LIST_SCHOOLS, params={**filters, "page_token": page_token, "page_size": page_size})

    async def iter_schools(self, **filters: Any) -> AsyncIterator[m.School]:
        async for item in self._pages(ops.LIST_SCHOOLS, params=filters):
            yield item

    async def bulk_schools(self, items: Sequence[Body], match_on: str = "sourced_id") -> m.BulkResult:
        return await self._call(ops.BULK_SCHOOLS, json={"match_on": match_on, "items": items})

    async def put_school_by_external_id(self, system: str, external_id: str, body: Body) -> m.School:
        """Create or update the school a SIS knows as `external_id` (`system`: "ed-fi" or "oneroster")."""
        return await self._call(ops.PUT_SCHOOL_BY_EXTERNAL_ID, path={"system": system, "external_id": external_id},
                          json=body)

    async def create_educator(self, body: Body) -> m.Educator:
        return await self._call(ops.CREATE_EDUCATOR, json=body)

    async def get_educator(self, educator_id: str) -> m.Educator:
        return await self._call(ops.GET_EDUCATOR, path={"record_id": educator_id})

    async def iter_educators(self, **filters: Any) -> AsyncIterator[m.Educator]:
        async for item in self._pages(ops.LIST_EDUCATORS, params=filters):
            yield item

    async def bulk_educators(self, items: Sequence[Body], match_on: str = "staff_unique_id") -> m.BulkResult:
        return await self._call(ops.BULK_EDUCATORS, json={"match_on": match_on, "items": items})

    async def put_educator_by_external_id(self, system: str, external_id: str, body: Body) -> m.Educator:
        """Create or update the educator a SIS knows as `external_id` (`system`: "ed-fi" or "oneroster")."""
        return await self._call(ops.PUT_EDUCATOR_BY_EXTERNAL_ID, path={"system": system, "external_id": external_id},
                          json=body)

    async def update_school(self, school_id: str, changes: Body, version: int) -> m.School:
        """Change a school's fields (only those given); `version` is the one read (If-Match)."""
        return await self._call(ops.UPDATE_SCHOOL, path={"record_id": school_id}, json=changes, if_match=version)

    async def delete_school(self, school_id: str, version: int) -> None:
        await self._call(ops.DELETE_SCHOOL, path={"record_id": school_id}, if_match=version)

    async def update_educator(self, educator_id: str, changes: Body, version: int) -> m.Educator:
        return await self._call(ops.UPDATE_EDUCATOR, path={"record_id": educator_id}, json=changes, if_match=version)

    async def delete_educator(self, educator_id: str, version: int) -> None:
        await self._call(ops.DELETE_EDUCATOR, path={"record_id": educator_id}, if_match=version)

    async def create_district(self, body: Body) -> Json:
        return await self._call(ops.CREATE_DISTRICT, json=body)

    async def get_district(self, district_id: str) -> Json:
        return await self._call(ops.GET_DISTRICT, path={"record_id": district_id})

    async def update_district(self, district_id: str, changes: Body, version: int) -> Json:
        return await self._call(ops.UPDATE_DISTRICT, path={"record_id": district_id}, json=changes, if_match=version)

    async def delete_district(self, district_id: str, version: int) -> None:
        await self._call(ops.DELETE_DISTRICT, path={"record_id": district_id}, if_match=version)

    # --- hr: the career ladder, hiring, mentoring, leadership ---------------------------------------------
    async def get_ladder(self) -> Json:
        """The tenant's career ladder: stages, transitions, criteria, the Ed-Fi mapping."""
        return await self._call(ops.GET_LADDER)

    async def put_ladder(self, ladder: Body, version: int) -> Json:
        return await self._call(ops.PUT_LADDER, json=ladder, if_match=version)

    async def transition_educator(self, educator_id: str, body: Body, version: int,
                            idempotency_key: str | None = None) -> Json:
        """Move an educator on the ladder (`to_stage`, `approver_id`, ...); `version` is the educator's."""
        return await self._call(ops.TRANSITION_EDUCATOR, path={"educator_id": educator_id}, json=body, if_match=version,
                          idempotency_key=idempotency_key)

    async def list_educator_transitions(self, educator_id: str) -> list[Json]:
        return await self._call(ops.LIST_EDUCATOR_TRANSITIONS, path={"educator_id": educator_id})

    async def put_readiness(self, educator_id: str, body: Body) -> Json:
        return await self._call(ops.PUT_READINESS, path={"educator_id": educator_id}, json=body)

    async def get_readiness(self, educator_id: str) -> Json:
        return await self._call(ops.GET_READINESS, path={"educator_id": educator_id})

    async def create_posting(self, body: Body) -> Json:
        return await self._call(ops.CREATE_POSTING, json=body)

    async def list_postings(self) -> list[Json]:
        return await self._call(ops.LIST_POSTINGS)

    async def apply_to_posting(self, posting_id: str, body: Body) -> Json:
        return await self._call(ops.APPLY_TO_POSTING, path={"posting_id": posting_id}, json=body)

    async def list_applications(self, posting_id: str) -> list[Json]:
        return await self._call(ops.LIST_APPLICATIONS, path={"posting_id": posting_id})

    async def get_application(self, application_id: str) -> Json:
        return await self._call(ops.GET_APPLICATION, path={"application_id": application_id})

    async def change_application(self, application_id: str, changes: Body, version: int) -> Json:
        """Move an application (`status`) or rate it (`leadership_potential`, `rubric_notes`)."""
        return await self._call(ops.CHANGE_APPLICATION, path={"application_id": application_id}, json=changes,
                          if_match=version)

    async def hire_application(self, application_id: str, version: int) -> Json:
        """Hire an offered applicant: hr creates the educator, as a novice, in the same transaction."""
        return await self._call(ops.HIRE_APPLICATION, path={"application_id": application_id}, if_match=version)

    async def assign_mentorship(self, body: Body) -> Json:
        return await self._call(ops.ASSIGN_MENTORSHIP, json=body)

    async def list_mentorships(self, mentee_id: str | None = None, mentor_id: str | None = None,
                         active: bool | None = None) -> list[Json]:
        return await self._call(ops.LIST_MENTORSHIPS, params={"mentee_id": mentee_id, "mentor_id": mentor_id,
                                                        "active": active})

    async def end_mentorship(self, mentorship_id: str, version: int, ends_on: str | None = None) -> Json:
        return await self._call(ops.END_MENTORSHIP, path={"mentorship_id": mentorship_id},
                          json={"ends_on": ends_on} if ends_on else {}, if_match=version)

    async def mentoring_alerts(self) -> list[Json]:
        """Novices without a mentor beyond the tenant's grace period."""
        return await self._call(ops.MENTORING_ALERTS)

    async def open_mentoring_gaps(self) -> list[Json]:
        return await self._call(ops.OPEN_MENTORING_GAPS)

    async def mentoring_coverage(self) -> Json:
        return await self._call(ops.MENTORING_COVERAGE)

    async def record_responsibility(self, educator_id: str, body: Body) -> Json:
        return await self._call(ops.RECORD_RESPONSIBILITY, path={"educator_id": educator_id}, json=body)

    async def list_responsibilities(self, educator_id: str) -> list[Json]:
        return await self._call(ops.LIST_RESPONSIBILITIES, path={"educator_id": educator_id})

    async def list_leadership_signals(self, educator_id: str) -> list[Json]:
        return await self._call(ops.LIST_LEADERSHIP_SIGNALS, path={"educator_id": educator_id})

    async def give_feedback(self, educator_id: str, body: Body) -> Json:
        return await self._call(ops.GIVE_FEEDBACK, path={"educator_id": educator_id}, json=body)

    async def list_feedback(self, educator_id: str) -> list[Json]:
        return await self._call(ops.LIST_FEEDBACK, path={"educator_id": educator_id})

    async def place_residency(self, body: Body) -> Json:
        return await self._call(ops.PLACE_RESIDENCY, json=body)

    async def list_residencies(self, resident_id: str | None = None) -> list[Json]:
        return await self._call(ops.LIST_RESIDENCIES, params={"resident_id": resident_id})

    async def get_residency(self, residency_id: str) -> Json:
        return await self._call(ops.GET_RESIDENCY, path={"residency_id": residency_id})

    async def end_residency(self, residency_id: str, version: int, ends_on: str | None = None) -> Json:
        return await self._call(ops.END_RESIDENCY, path={"residency_id": residency_id},
                          json={"ends_on": ends_on} if ends_on else {}, if_match=version)

    async def record_professional_learning(self, body: Body) -> Json:
        return await self._call(ops.RECORD_PROFESSIONAL_LEARNING, json=body)

    async def list_professional_learning(self, educator_id: str) -> list[Json]:
        return await self._call(ops.LIST_PROFESSIONAL_LEARNING, path={"educator_id": educator_id})

    async def create_post(self, body: Body) -> Json:
        """Register a leadership post (for succession planning)."""
        return await self._call(ops.CREATE_POST, json=body)

    async def list_posts(self) -> list[Json]:
        return await self._call(ops.LIST_POSTS)

    async def pipeline_analytics(self) -> Json:
        return await self._call(ops.PIPELINE_ANALYTICS)

    async def import_oneroster(self, zip_bytes: bytes, idempotency_key: str | None = None) -> m.ImportJob:
        """Upload a OneRoster 1.2 CSV zip: a job (see `wait_for_import`)."""
        return await self._call(ops.IMPORT_ONEROSTER, content=zip_bytes, content_type="application/zip",
                          idempotency_key=idempotency_key)

    async def import_edfi(self, body: Body, idempotency_key: str | None = None) -> m.ImportJob:
        """Upload Ed-Fi staff JSON (staffs, assignments, education organizations): a job."""
        return await self._call(ops.IMPORT_EDFI, json=body, idempotency_key=idempotency_key)

    async def get_import(self, job_id: str) -> m.ImportJob:
        return await self._call(ops.GET_IMPORT, path={"job_id": job_id})

    async def iter_imports(self, **filters: Any) -> AsyncIterator[m.ImportJob]:
        async for item in self._pages(ops.LIST_IMPORTS, params=filters):
            yield item

    async def wait_for_import(self, job_id: str, *, timeout: float = 600.0, poll: float = 1.0,
                        progress: Callable[[m.ImportJob], None] | None = None) -> m.ImportJob:
        """The job once it has succeeded or failed (`progress` sees each state polled); TimeoutError after
        `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            job = await self._call(ops.GET_IMPORT, path={"job_id": job_id})
            if progress is not None:
                progress(job)
            if job["status"] in ("succeeded", "failed"):
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"import {job_id} is still {job['status']} after {timeout:g} s")
            await self._sleep(poll)

    # --- observations ----------------------------------------------------------------------------------
    async def create_protocol(self, body: Body) -> m.Protocol:
        return await self._call(ops.CREATE_PROTOCOL, json=body)

    async def get_protocol(self, protocol_id: str) -> m.Protocol:
        return await self._call(ops.GET_PROTOCOL, path={"protocol_id": protocol_id})

    async def list_protocols(self) -> list[m.Protocol]:
        return await self._call(ops.LIST_PROTOCOLS)

    async def create_visit(self, body: Body, idempotency_key: str | None = None) -> m.Visit:
        return await self._call(ops.CREATE_VISIT, json=body, idempotency_key=idempotency_key)

    async def get_visit(self, visit_id: str) -> m.Visit:
        return await self._call(ops.GET_VISIT, path={"visit_id": visit_id})

    async def transition_visit(self, visit_id: str, to: str, version: int) -> m.Visit:
        return await self._call(ops.TRANSITION_VISIT, path={"visit_id": visit_id}, json={"to": to}, if_match=version)

    async def create_record(self, visit_id: str, classroom_id: str, observer_id: str,
                      notes: list[m.NoteIn]) -> m.Record:
        return await self._call(ops.CREATE_RECORD, path={"visit_id": visit_id},
                          json={"classroom_id": classroom_id, "observer_id": observer_id, "notes": notes})

    async def list_visit_records(self, visit_id: str) -> list[m.RecordSummary]:
        return await self._call(ops.LIST_VISIT_RECORDS, path={"visit_id": visit_id})

    async def list_visit_notes(self, visit_id: str, **filters: Any) -> list[dict[str, Any]]:
        return await self._call(ops.LIST_VISIT_NOTES, path={"visit_id": visit_id}, params=filters)

    async def get_record(self, record_id: str) -> m.Record:
        return await self._call(ops.GET_RECORD, path={"record_id": record_id})

    async def save_record(self, record_id: str, notes: list[m.NoteIn], version: int) -> m.Record:
        return await self._call(ops.SAVE_RECORD, path={"record_id": record_id}, json={"notes": notes}, if_match=version)

    async def transition_record(self, record_id: str, to: str, version: int) -> m.Record:
        return await self._call(ops.TRANSITION_RECORD, path={"record_id": record_id}, json={"to": to},
                          if_match=version)

    async def upload_offline(self, records: Sequence[Body]) -> m.OfflineResult:
        """Records and notes captured offline, with the device's ids (`client_id`): resending is harmless."""
        return await self._call(ops.UPLOAD_OFFLINE, json={"records": records})

    async def put_debrief(self, visit_id: str, prediction: str, next_level_of_work: Sequence[Body] | None = None,
                    prediction_pattern_ids: list[str] | None = None) -> m.Debrief:
        return await self._call(ops.PUT_DEBRIEF, path={"visit_id": visit_id}, json={
            "prediction": prediction, "next_level_of_work": next_level_of_work or [],
            "prediction_pattern_ids": prediction_pattern_ids or []})

    async def get_debrief(self, visit_id: str) -> m.Debrief:
        return await self._call(ops.GET_DEBRIEF, path={"visit_id": visit_id})

    async def get_quality(self, school_id: str, period: str | None = None) -> m.Quality:
        return await self._call(ops.GET_QUALITY, path={"school_id": school_id}, params={"period": period})

    async def publish_protocol_version(self, protocol_id: str, body: Body) -> m.Protocol:
        """A new version of the protocol's look-fors (records made with older ones keep theirs)."""
        return await self._call(ops.PUBLISH_PROTOCOL_VERSION, path={"protocol_id": protocol_id}, json=body)

    async def list_visits_examining(self, problem_of_practice_id: str) -> list[Json]:
        """The visits that examined a problem of practice (networks' id), newest first."""
        return await self._call(ops.LIST_VISITS_EXAMINING, path={"problem_of_practice_id": problem_of_practice_id})

    async def select_note(self, note_id: str, selected: bool = True) -> Json:
        """Bring a note to the debrief (or withdraw it: `selected=False`)."""
        return await self._call(ops.SELECT_NOTE, path={"note_id": note_id}, json={"selected": selected})

    async def screen_note(self, note_id: str, decision: str, reason: str | None = None) -> Json:
        body: dict[str, Any] = {"decision": decision, **({"reason": reason} if reason is not None else {})}
        return await self._call(ops.SCREEN_NOTE, path={"note_id": note_id}, json=body)

    async def set_lexicon(self, language: str, terms: Body) -> None:
        """The organisation's own evaluative terms for a language (`judgement`, `prescription`, ...)."""
        await self._call(ops.SET_LEXICON, path={"language": language}, json=terms)

    async def add_pattern(self, visit_id: str, body: Body) -> Json:
        return await self._call(ops.ADD_PATTERN, path={"visit_id": visit_id}, json=body)

    async def list_patterns(self, visit_id: str) -> list[Json]:
        return await self._call(ops.LIST_PATTERNS, path={"visit_id": visit_id})

    async def create_calibration(self, body: Body) -> Json:
        return await self._call(ops.CREATE_CALIBRATION, json=body)

    async def add_coding(self, session_id: str, observer_id: str, codes: Sequence[Body]) -> Json:
        return await self._call(ops.ADD_CODING, path={"session_id": session_id},
                          json={"observer_id": observer_id, "codes": list(codes)})

    async def get_calibration(self, session_id: str) -> Json:
        """Agreement per look-for (Fleiss' kappa with its interval) and per observer."""
        return await self._call(ops.GET_CALIBRATION, path={"session_id": session_id})

    async def close_quality_period(self, school_id: str, period: str) -> list[m.Quality]:
        """Publish the school's final index for the period (once)."""
        return await self._call(ops.CLOSE_QUALITY_PERIOD, path={"school_id": school_id}, json={"period": period})

    async def evidence_quality(self, observer_id: str) -> Json:
        return await self._call(ops.EVIDENCE_QUALITY, path={"observer_id": observer_id})

    # --- networks --------------------------------------------------------------------------------------
    async def create_network(self, body: Body) -> m.Network:
        return await self._call(ops.CREATE_NETWORK, json=body)

    async def get_network(self, network_id: str) -> m.Network:
        return await self._call(ops.GET_NETWORK, path={"network_id": network_id})

    async def iter_networks(self) -> AsyncIterator[m.Network]:
        async for item in self._pages(ops.LIST_NETWORKS):
            yield item

    async def add_member(self, network_id: str, body: Body) -> m.Membership:
        return await self._call(ops.ADD_MEMBER, path={"network_id": network_id}, json=body)

    async def list_members(self, network_id: str) -> list[m.Membership]:
        """The network's memberships, past ones too."""
        return await self._call(ops.LIST_MEMBERS, path={"network_id": network_id})

    async def host_rotation(self, network_id: str) -> dict[str, Any]:
        return await self._call(ops.HOST_ROTATION, path={"network_id": network_id})

    async def chair_suggestion(self, network_id: str, tags: list[str] | None = None,
                         attendee_ids: list[str] | None = None) -> m.ChairSuggestion:
        return await self._call(ops.CHAIR_SUGGESTION, path={"network_id": network_id},
                          params={"tags": tags or [], "attendee_ids": attendee_ids or []})

    async def create_meeting(self, body: Body) -> m.Meeting:
        return await self._call(ops.CREATE_MEETING, json=body)

    async def get_meeting(self, meeting_id: str) -> m.Meeting:
        return await self._call(ops.GET_MEETING, path={"meeting_id": meeting_id})

    async def iter_meetings(self, network_id: str | None = None) -> AsyncIterator[m.Meeting]:
        async for item in self._pages(ops.LIST_MEETINGS, params={"network_id": network_id}):
            yield item

    async def create_commitment(self, body: Body) -> m.Commitment:
        return await self._call(ops.CREATE_COMMITMENT, json=body)

    async def get_commitment(self, commitment_id: str) -> m.Commitment:
        return await self._call(ops.GET_COMMITMENT, path={"commitment_id": commitment_id})

    async def list_commitments(self, page_token: str | None = None, page_size: int = 50,
                         **filters: Any) -> m.Page[m.Commitment]:
        return await self._call(ops.LIST_COMMITMENTS, params={**filters, "page_token": page_token,
                                                        "page_size": page_size})

    async def iter_commitments(self, page_size: int = 100, **filters: Any) -> AsyncIterator[m.Commitment]:
        """Commitments by `school_id`, `network_id`, `status` (open, fulfilled, dropped) or `overdue`."""
        async for item in self._pages(ops.LIST_COMMITMENTS, params=filters, page_size=page_size):
            yield item

    async def follow_up(self, commitment_id: str, note: str, on: str, version: int) -> m.Commitment:
        return await self._call(ops.FOLLOW_UP, path={"commitment_id": commitment_id}, json={"on": on, "note": note},
                          if_match=version)

    async def transition_commitment(self, commitment_id: str, to: str, on: str, version: int) -> m.Commitment:
        return await self._call(ops.TRANSITION_COMMITMENT, path={"commitment_id": commitment_id},
                          json={"to": to, "on": on}, if_match=version)

    async def network_graph(self, network_id: str) -> m.Graph:
        """The collaboration graph's measures by month and its people, as the worker last computed them
        (`refresh_pending`: a change is not measured yet; the answer is that of `computed_at`)."""
        return await self._call(ops.NETWORK_GRAPH, path={"network_id": network_id})

    async def wait_for_network_graph(self, network_id: str, *, timeout: float = 30.0, poll: float = 0.5) -> m.Graph:
        """The graph once the worker has measured every change (`refresh_pending` false), or after `timeout`
        seconds the last answer as it is (still pending: older measures are an answer too)."""
        deadline = time.monotonic() + timeout
        while True:
            measured = await self._call(ops.NETWORK_GRAPH, path={"network_id": network_id})
            if not measured.get("refresh_pending") or time.monotonic() > deadline:
                return measured
            await self._sleep(poll)

    async def network_graph_export(self, network_id: str) -> m.GraphExport:
        """The graph as it stands: nodes and weighted directed edges, for drawing."""
        return await self._call(ops.NETWORK_GRAPH_EXPORT, path={"network_id": network_id})

    async def revise_norms(self, network_id: str, norms: Sequence[str], version: int) -> m.Network:
        return await self._call(ops.REVISE_NORMS, path={"network_id": network_id}, json={"norms": list(norms)},
                          if_match=version)

    async def get_membership(self, membership_id: str) -> m.Membership:
        return await self._call(ops.GET_MEMBERSHIP, path={"membership_id": membership_id})

    async def end_membership(self, membership_id: str, ends_on: str, version: int) -> m.Membership:
        """The member leaves the network on `ends_on`."""
        return await self._call(ops.END_MEMBERSHIP, path={"membership_id": membership_id}, json={"ends_on": ends_on},
                          if_match=version)

    async def network_leadership(self, network_id: str) -> Json:
        """The distributed-leadership index of the network and of each member school, by month."""
        return await self._call(ops.NETWORK_LEADERSHIP, path={"network_id": network_id})

    async def emerging_leaders(self, network_id: str) -> list[Json]:
        return await self._call(ops.EMERGING_LEADERS, path={"network_id": network_id})

    async def school_graph(self, school_id: str) -> m.Graph:
        return await self._call(ops.SCHOOL_GRAPH, path={"school_id": school_id})

    async def commitment_counts(self, network_id: str | None = None) -> list[Json]:
        """Open and overdue commitments per school."""
        return await self._call(ops.COMMITMENT_COUNTS, params={"network_id": network_id})

    async def create_problem_of_practice(self, body: Body) -> Json:
        """A school poses a problem of practice (a draft until its five criteria are met)."""
        return await self._call(ops.CREATE_PROBLEM_OF_PRACTICE, json=body)

    async def list_problems_of_practice(self, page_token: str | None = None, page_size: int = 50,
                                  **filters: Any) -> m.Page[Json]:
        return await self._call(ops.LIST_PROBLEMS_OF_PRACTICE, params={**filters, "page_token": page_token,
                                                                 "page_size": page_size})

    async def iter_problems_of_practice(self, **filters: Any) -> AsyncIterator[Json]:
        """Problems of practice by `network_id` or `school_id`."""
        async for item in self._pages(ops.LIST_PROBLEMS_OF_PRACTICE, params=filters):
            yield item

    async def get_problem_of_practice(self, problem_id: str) -> Json:
        return await self._call(ops.GET_PROBLEM_OF_PRACTICE, path={"problem_id": problem_id})

    async def revise_problem_of_practice(self, problem_id: str, changes: Body, version: int) -> Json:
        return await self._call(ops.REVISE_PROBLEM_OF_PRACTICE, path={"problem_id": problem_id}, json=changes,
                          if_match=version)

    async def transition_problem_of_practice(self, problem_id: str, to: str, version: int) -> Json:
        """draft -> active (all five criteria met) -> resolved | retired."""
        return await self._call(ops.TRANSITION_PROBLEM_OF_PRACTICE, path={"problem_id": problem_id}, json={"to": to},
                          if_match=version)

    async def put_driver_diagram(self, problem_id: str, diagram: Body, version: int) -> Json:
        return await self._call(ops.PUT_DRIVER_DIAGRAM, path={"problem_id": problem_id}, json=diagram, if_match=version)

    async def add_change_idea(self, problem_id: str, body: Body) -> Json:
        return await self._call(ops.ADD_CHANGE_IDEA, path={"problem_id": problem_id}, json=body)

    async def plan_cycle(self, body: Body) -> Json:
        """Plan a PDSA cycle of a change idea: its questions, each with a prediction."""
        return await self._call(ops.PLAN_CYCLE, json=body)

    async def get_cycle(self, cycle_id: str) -> Json:
        return await self._call(ops.GET_CYCLE, path={"cycle_id": cycle_id})

    async def list_cycles(self, problem_id: str) -> list[Json]:
        """The PDSA cycles of a problem of practice's change ideas."""
        return await self._call(ops.LIST_CYCLES, path={"problem_id": problem_id})

    async def do_cycle(self, cycle_id: str, body: Body, version: int) -> Json:
        return await self._call(ops.DO_CYCLE, path={"cycle_id": cycle_id}, json=body, if_match=version)

    async def study_cycle(self, cycle_id: str, body: Body, version: int) -> Json:
        return await self._call(ops.STUDY_CYCLE, path={"cycle_id": cycle_id}, json=body, if_match=version)

    async def act_cycle(self, cycle_id: str, body: Body, version: int) -> Json:
        """Adopt, adapt or abandon the change."""
        return await self._call(ops.ACT_CYCLE, path={"cycle_id": cycle_id}, json=body, if_match=version)

    async def contribute_practice(self, body: Body) -> Json:
        return await self._call(ops.CONTRIBUTE_PRACTICE, json=body)

    async def get_practice(self, practice_id: str) -> Json:
        return await self._call(ops.GET_PRACTICE, path={"practice_id": practice_id})

    async def revise_practice(self, practice_id: str, changes: Body, version: int) -> Json:
        """Revise a practice (`visibility: published` publishes it to every tenant's library)."""
        return await self._call(ops.REVISE_PRACTICE, path={"practice_id": practice_id}, json=changes, if_match=version)

    async def adopt_practice(self, practice_id: str, body: Body) -> Json:
        return await self._call(ops.ADOPT_PRACTICE, path={"practice_id": practice_id}, json=body)

    async def list_adoptions(self, practice_id: str) -> list[Json]:
        return await self._call(ops.LIST_ADOPTIONS, path={"practice_id": practice_id})

    async def iter_library(self, tag: str | None = None) -> AsyncIterator[Json]:
        """The published library: every tenant's published practices."""
        async for item in self._pages(ops.LIST_LIBRARY, params={"tag": tag}):
            yield item

    async def get_published_practice(self, practice_id: str) -> Json:
        return await self._call(ops.GET_PUBLISHED_PRACTICE, path={"practice_id": practice_id})

    # --- strategy --------------------------------------------------------------------------------------
    async def create_plan(self, body: Body) -> m.Plan:
        return await self._call(ops.CREATE_PLAN, json=body)

    async def get_plan(self, plan_id: str) -> m.Plan:
        return await self._call(ops.GET_PLAN, path={"plan_id": plan_id})

    async def add_goal(self, plan_id: str, body: Body) -> m.Goal:
        return await self._call(ops.ADD_GOAL, path={"plan_id": plan_id}, json=body)

    async def get_goal(self, goal_id: str) -> m.Goal:
        return await self._call(ops.GET_GOAL, path={"goal_id": goal_id})

    async def load_measurements(self, items: Sequence[Body]) -> m.BulkResult:
        """Performance data, idempotent by (school, measure, period): all or nothing."""
        return await self._call(ops.LOAD_MEASUREMENTS, json={"items": items})

    async def get_series(self, school_id: str, measure: str, **options: Any) -> m.Series:
        return await self._call(ops.GET_SERIES, path={"school_id": school_id, "measure": measure}, params=options)

    async def get_trajectory(self, school_id: str, performance: str, **options: Any) -> dict[str, Any]:
        return await self._call(ops.GET_TRAJECTORY, path={"school_id": school_id},
                          params={"performance": performance, **options})

    async def adopt_plan(self, plan_id: str) -> m.Plan:
        return await self._call(ops.ADOPT_PLAN, path={"plan_id": plan_id})

    async def review_plan(self, plan_id: str) -> Json:
        """Mark the plan's items past their update due date (plus grace) as stale; the plan's freshness."""
        return await self._call(ops.REVIEW_PLAN, path={"plan_id": plan_id})

    async def add_statement(self, plan_id: str, body: Body) -> Json:
        """An if/then statement of the plan's theory of action."""
        return await self._call(ops.ADD_STATEMENT, path={"plan_id": plan_id}, json=body)

    async def get_statement(self, statement_id: str) -> Json:
        return await self._call(ops.GET_STATEMENT, path={"statement_id": statement_id})

    async def add_initiative(self, plan_id: str, body: Body) -> Json:
        return await self._call(ops.ADD_INITIATIVE, path={"plan_id": plan_id}, json=body)

    async def get_initiative(self, initiative_id: str) -> Json:
        return await self._call(ops.GET_INITIATIVE, path={"initiative_id": initiative_id})

    async def update_initiative_status(self, initiative_id: str, body: Body) -> Json:
        """A dated status update (`status`, `progress`, `as_of`) of the initiative or one of its milestones."""
        return await self._call(ops.UPDATE_INITIATIVE_STATUS, path={"initiative_id": initiative_id}, json=body)

    async def get_reciprocity_weights(self) -> Json:
        return await self._call(ops.GET_RECIPROCITY_WEIGHTS)

    async def put_reciprocity_weights(self, weights: Body) -> Json:
        return await self._call(ops.PUT_RECIPROCITY_WEIGHTS, json=weights)

    async def reciprocity_ledger(self, school_id: str) -> Json:
        """Demand against capacity per period for a school, with flags."""
        return await self._call(ops.RECIPROCITY_LEDGER, path={"school_id": school_id})

    # --- change queries (every service) -------------------------------------------------------------------
    async def available_change_versions(self, service: str) -> m.ChangeVersions:
        """Where a sync may start (`oldest_change_version`) and end (`newest_change_version`) now."""
        return await self._call(ops.CHANGE_VERSIONS[service])

    async def iter_changed(self, service: str, resource: str, min_change_version: int | None = None,
                     max_change_version: int | None = None, **filters: Any) -> AsyncIterator[dict[str, Any]]:
        """What changed in the window (everything, without one): `iter_changed("hr", "educators", 41, 97)`.
        Below the retention horizon it raises ProblemError 410 `change-version-expired`: load everything."""
        o = ops.CHANGED[(service, resource)]
        params = {**filters, "min_change_version": min_change_version, "max_change_version": max_change_version}
        if o.paged:
            async for item in self._pages(o, params=params, page_size=500):
                yield item
            return
        for item in await self._call(o, params=params):
            yield item

    async def iter_deleted(self, service: str, resource: str, min_change_version: int | None = None,
                     max_change_version: int | None = None) -> AsyncIterator[m.Tombstone]:
        """The tombstones of what was deleted in the window (id, external ids, change version)."""
        params = {"min_change_version": min_change_version, "max_change_version": max_change_version}
        async for item in self._pages(ops.DELETED[(service, resource)], params=params, page_size=500):
            yield item

    # --- the tenant export ------------------------------------------------------------------------------
    async def start_export(self, personal_data: bool = False) -> m.ExportJob:
        """Everything the tenant holds, on every service, as one zip: a job (see `wait_for_export`)."""
        return await self._call(ops.START_EXPORT, json={"personal_data": personal_data})

    async def get_export(self, export_id: str) -> m.ExportJob:
        return await self._call(ops.GET_EXPORT, path={"export_id": export_id})

    async def iter_exports(self, **filters: Any) -> AsyncIterator[m.ExportJob]:
        async for item in self._pages(ops.LIST_EXPORTS, params=filters):
            yield item

    async def wait_for_export(self, export_id: str, *, timeout: float = 1800.0, poll: float = 1.0,
                        progress: Callable[[m.ExportJob], None] | None = None) -> m.ExportJob:
        """The export once it has succeeded or failed (`progress` sees each state polled); TimeoutError after
        `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            job = await self._call(ops.GET_EXPORT, path={"export_id": export_id})
            if progress is not None:
                progress(job)
            if job["status"] in ("succeeded", "failed"):
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"export {export_id} is still {job['status']} after {timeout:g} s")
            await self._sleep(poll)

    async def download_export(self, export_id: str) -> bytes:
        """The zip of a succeeded export (ProblemError 409 `export-not-ready` before)."""
        return await self._call(ops.DOWNLOAD_EXPORT, path={"export_id": export_id})

    # --- the tenant administrator: people, clients, the audit trail ----------------------------------------
    async def list_people(self) -> list[Json]:
        return await self._call(ops.LIST_PEOPLE)

    async def invite_person(self, body: Body) -> Json:
        """Invite a person (`email`, `role`, ...): the answer's one-time `invitation_url` is shown once."""
        return await self._call(ops.INVITE_PERSON, json=body)

    async def get_person(self, person_id: str) -> Json:
        return await self._call(ops.GET_PERSON, path={"person_id": person_id})

    async def revoke_person(self, person_id: str) -> None:
        """Every session of theirs ends and they can no longer sign in."""
        await self._call(ops.REVOKE_PERSON, path={"person_id": person_id})

    async def list_clients(self) -> list[Json]:
        return await self._call(ops.LIST_CLIENTS)

    async def create_client(self, name: str, scopes: Sequence[str], schools: Sequence[str] | None = None) -> Json:
        """Register a client: its `client_secret` is in this answer only."""
        body: dict[str, Any] = {"name": name, "scopes": list(scopes)}
        if schools is not None:
            body["schools"] = list(schools)
        return await self._call(ops.CREATE_CLIENT, json=body)

    async def get_client(self, client_id: str) -> Json:
        return await self._call(ops.GET_CLIENT, path={"client_id": client_id})

    async def revoke_client(self, client_id: str) -> None:
        """Its secret and every token it holds stop working."""
        await self._call(ops.REVOKE_CLIENT, path={"client_id": client_id})

    async def rotate_client_secret(self, client_id: str) -> Json:
        return await self._call(ops.ROTATE_CLIENT_SECRET, path={"client_id": client_id})

    async def list_audit(self, page_token: str | None = None, page_size: int = 50, **filters: Any) -> m.Page[Json]:
        return await self._call(ops.LIST_AUDIT, params={**filters, "page_token": page_token, "page_size": page_size})

    async def iter_audit(self, **filters: Any) -> AsyncIterator[Json]:
        """Who read or changed personal data, newest first: by `actor`, `object_id`, `action`, `service`,
        `since`, `until`."""
        async for item in self._pages(ops.LIST_AUDIT, params=filters):
            yield item

    # --- partner delivery: subscriptions (tenant admin) and the event feed (a client with events:read) ------
    async def create_subscription(self, name: str, client_id: str, types: Sequence[str], *, mode: str = "feed",
                            url: str | None = None) -> m.SubscriptionWithSecret:
        """Grant a partner client event types (`["*"]`: every type), read from the feed or sent to `url`."""
        body: dict[str, Any] = {"name": name, "client_id": client_id, "types": list(types), "mode": mode}
        if url is not None:
            body["url"] = url
        return await self._call(ops.CREATE_SUBSCRIPTION, json=body)

    async def list_subscriptions(self) -> list[m.Subscription]:
        return await self._call(ops.LIST_SUBSCRIPTIONS)

    async def delete_subscription(self, subscription_id: str) -> None:
        await self._call(ops.DELETE_SUBSCRIPTION, path={"subscription_id": subscription_id})

    async def get_subscription(self, subscription_id: str) -> m.Subscription:
        return await self._call(ops.GET_SUBSCRIPTION, path={"subscription_id": subscription_id})

    async def update_subscription(self, subscription_id: str, changes: Body) -> m.Subscription:
        """Change its `name`, granted `types` or `url`."""
        return await self._call(ops.UPDATE_SUBSCRIPTION, path={"subscription_id": subscription_id}, json=changes)

    async def enable_subscription(self, subscription_id: str) -> m.Subscription:
        """Re-enable a disabled subscription: what it missed is delivered."""
        return await self._call(ops.ENABLE_SUBSCRIPTION, path={"subscription_id": subscription_id})

    async def disable_subscription(self, subscription_id: str) -> m.Subscription:
        return await self._call(ops.DISABLE_SUBSCRIPTION, path={"subscription_id": subscription_id})

    async def rotate_subscription_secret(self, subscription_id: str) -> m.SubscriptionWithSecret:
        """A new signing secret (in this answer only); the previous one keeps signing for a while."""
        return await self._call(ops.ROTATE_SUBSCRIPTION_SECRET, path={"subscription_id": subscription_id})

    async def replay_subscription(self, subscription_id: str, since: str) -> Json:
        """Deliver again every granted event from `since` (ISO 8601)."""
        return await self._call(ops.REPLAY_SUBSCRIPTION, path={"subscription_id": subscription_id},
                          json={"since": since})

    async def list_deliveries(self, subscription_id: str, state: str | None = None,
                        limit: int | None = None) -> list[Json]:
        """The latest deliveries, newest first (`state`: pending or delivered)."""
        return await self._call(ops.LIST_DELIVERIES, path={"subscription_id": subscription_id},
                          params={"state": state, "limit": limit})

    async def read_events(self, after: str = "0", types: Sequence[str] | None = None, limit: int = 100,
                    wait: float = 0.0) -> m.EventPage:
        """The granted events after the cursor `after` ("0": the oldest kept), at most `limit`; with `wait`
        seconds, the gateway holds the answer until one arrives (long-poll). Read on from `next_cursor`."""
        return await self._call(ops.READ_EVENTS, params=_feed_query(after, types, limit, wait),
                          timeout=wait + FEED_GRACE_SECONDS)

    async def follow_events(self, after: str = "0", types: Sequence[str] | None = None, limit: int = 100,
                      wait: float = 20.0) -> AsyncIterator[m.EventPage]:
        """Every page of the feed from `after` on, forever: long-polls, so an empty page means only that
        `wait` seconds passed quietly. Keep each page's `next_cursor` to resume after a stop."""
        while True:
            page = await self._call(ops.READ_EVENTS, params=_feed_query(after, types, limit, wait),
                              timeout=wait + FEED_GRACE_SECONDS)
            yield page
            after = page["next_cursor"]
