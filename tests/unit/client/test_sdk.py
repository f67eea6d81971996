"""The SDK's mechanics against a scripted gateway (httpx.MockTransport): tokens renewed before expiry and
after a 401, 429/503 retried as Retry-After says, one Idempotency-Key per creating call across its
retries, problem+json raised with every member, cursor pages followed, and the async twin in step."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from improvenet_client import AsyncClient, Client, GatewayUnreachable, ProblemError, RetryPolicy, _core, _unasync
from improvenet_client.config import Profile, config_file, load_profiles, save_profile
from improvenet_client.offline import OfflineQueue

GW = "http://gateway.test"
Handler = Callable[[httpx.Request], httpx.Response]


class Gateway:
    """A scripted gateway: the token endpoint plus whatever `api` answers; every request is kept."""

    def __init__(self, api: Handler, expires_in: int = 3600) -> None:
        self.api, self.expires_in = api, expires_in
        self.requests: list[httpx.Request] = []
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/oauth/token":
            self.tokens += 1
            return httpx.Response(200, json={"access_token": f"tok-{self.tokens}", "token_type": "Bearer",
                                             "expires_in": self.expires_in})
        return self.api(request)

    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/oauth/token"]


def client(gw: Gateway, sleeps: list[float] | None = None, **kw: Any) -> Client:
    return Client(GW, "cli_1", "s3cret", transport=httpx.MockTransport(gw),
                  sleep=(sleeps.append if sleeps is not None else lambda _: None), **kw)


def ok(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"id": "s1", "name": "Hamilton"})


def test_client_credentials_are_sent_as_the_gateway_expects() -> None:
    gw = Gateway(ok)
    with client(gw) as api:
        api.get_school("s1")
    token_call = gw.requests[0]
    assert token_call.method == "POST" and token_call.url.path == "/oauth/token"
    assert token_call.headers["authorization"].startswith("Basic ")
    assert token_call.content == b"grant_type=client_credentials"
    assert token_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert gw.api_requests()[0].headers["authorization"] == "Bearer tok-1"
    assert gw.api_requests()[0].url.path == "/api/v1/hr/schools/s1"


def test_token_is_reused_while_fresh_and_renewed_before_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(_core.time, "monotonic", lambda: now[0])
    import improvenet_client._sync_client as sync_client
    monkeypatch.setattr(sync_client.time, "monotonic", lambda: now[0])
    gw = Gateway(ok, expires_in=300)  # margin: 30 s (a tenth of the lifetime)
    with client(gw) as api:
        api.get_school("s1")
        now[0] += 200
        api.get_school("s1")
        assert gw.tokens == 1
        now[0] += 75  # 25 s before expiry: inside the margin, so renewed before the call
        api.get_school("s1")
        assert gw.tokens == 2
    assert [r.headers["authorization"] for r in gw.api_requests()] == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_a_401_renews_the_token_once_then_raises() -> None:
    def revoked_once(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer tok-1":
            return httpx.Response(401, json={"title": "Unauthorized", "status": 401})
        return ok(request)

    gw = Gateway(revoked_once)
    with client(gw) as api:
        assert api.get_school("s1")["id"] == "s1"
    assert gw.tokens == 2

    gw = Gateway(lambda r: httpx.Response(401, json={"title": "Unauthorized", "status": 401,
                                                     "detail": "token revoked"}))
    with client(gw) as api, pytest.raises(ProblemError) as raised:
        api.get_school("s1")
    assert raised.value.status == 401 and gw.tokens == 2  # renewed once, not forever


def test_retry_honours_retry_after_seconds_and_dates() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "3"}, json={"title": "Too many", "status": 429}),
                    httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
                                   json={"title": "Unavailable", "status": 503}),
                    httpx.Response(503, json={"title": "Unavailable", "status": 503}),
                    httpx.Response(200, json={"id": "s1"})])
    gw = Gateway(lambda r: next(answers))
    sleeps: list[float] = []
    with client(gw, sleeps) as api:
        assert api.get_school("s1") == {"id": "s1"}
    # 3 s as said; a date in the past: no wait; no header: the backoff (0.5 s doubling, third attempt)
    assert sleeps == [3.0, 0.0, 2.0]
    assert len(gw.api_requests()) == 4


def test_retry_after_is_capped_and_the_last_answer_raised() -> None:
    gw = Gateway(lambda r: httpx.Response(503, headers={"Retry-After": "3600"},
                                          json={"title": "Service unavailable", "status": 503,
                                                "detail": "upstream hr is down"}))
    sleeps: list[float] = []
    with client(gw, sleeps, retry=RetryPolicy(attempts=3, max_wait=10)) as api, pytest.raises(ProblemError) as e:
        api.get_school("s1")
    assert sleeps == [10.0, 10.0] and e.value.status == 503 and e.value.detail == "upstream hr is down"


def test_idempotency_key_is_generated_per_call_and_reused_on_its_retries() -> None:
    answers = iter([httpx.Response(503, headers={"Retry-After": "1"}, json={"title": "x", "status": 503}),
                    httpx.Response(429, headers={"Retry-After": "1"}, json={"title": "x", "status": 429}),
                    httpx.Response(201, json={"id": "v1"}),
                    httpx.Response(201, json={"id": "v2"})])
    gw = Gateway(lambda r: next(answers))
    with client(gw) as api:
        api.create_visit({"school_id": "s1"})
        api.create_visit({"school_id": "s1"})
    keys = [r.headers.get("idempotency-key") for r in gw.api_requests()]
    assert keys[0] and keys[0] == keys[1] == keys[2]  # one call, three attempts, one key
    assert keys[3] and keys[3] != keys[0]  # the next call has its own
    assert all(json.loads(r.content) == {"school_id": "s1"} for r in gw.api_requests())


def test_idempotency_key_survives_a_dropped_connection_and_reads_carry_none() -> None:
    attempts = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise httpx.ReadTimeout("the answer never came", request=request)
        return httpx.Response(201, json={"id": "c1"}) if request.method == "POST" else ok(request)

    gw = Gateway(flaky)
    with client(gw) as api:
        api.create_commitment({"school_id": "s1", "description": "x", "due_on": "2026-12-01"})
        api.get_school("s1")
    posts = [r for r in gw.api_requests() if r.method == "POST"]
    assert len(posts) == 2 and posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert "idempotency-key" not in gw.api_requests()[-1].headers


def test_a_transition_is_not_resent_after_a_read_timeout() -> None:
    """A POST without a key may have been applied: repeating it is not harmless, so it is not repeated."""
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    gw = Gateway(timeout)
    with client(gw) as api, pytest.raises(GatewayUnreachable):
        api.transition_visit("v1", "in_progress", 3)
    assert len(gw.api_requests()) == 1 and gw.api_requests()[0].headers["if-match"] == '"3"'


def test_unreachable_gateway_after_retries() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    gw = Gateway(refused)
    sleeps: list[float] = []
    with client(gw, sleeps, retry=RetryPolicy(attempts=3)) as api, pytest.raises(GatewayUnreachable) as e:
        api.get_school("s1")
    assert e.value.url == GW and len(sleeps) == 2 and gw.requests[0].url.path == "/oauth/token"


def test_problem_json_becomes_a_problem_error_with_every_member() -> None:
    problem = {"type": "/problems/invalid-reference", "title": "Invalid reference", "status": 422,
               "detail": "1 field refers to nothing", "instance": "/api/v1/hr/educators",
               "errors": [{"field": "school_id", "message": "no such school"}]}
    gw = Gateway(lambda r: httpx.Response(422, json=problem, headers={"Content-Type": "application/problem+json",
                                                                      "X-Request-ID": "req-7"}))
    with client(gw) as api, pytest.raises(ProblemError) as raised:
        api.create_educator({"given_name": "M", "family_name": "S", "school_id": "nope"})
    p = raised.value
    assert (p.status, p.type, p.title, p.detail, p.instance) == (422, "/problems/invalid-reference",
                                                                 "Invalid reference", "1 field refers to nothing",
                                                                 "/api/v1/hr/educators")
    assert [(e.field, e.message) for e in p.errors] == [("school_id", "no such school")]
    assert p.slug == "invalid-reference" and p.request_id == "req-7"
    assert "school_id: no such school" in str(p)


def test_token_errors_are_problems_too() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"type": "/problems/invalid-client", "title": "Invalid client",
                                         "status": 401, "error": "invalid_client"})

    with Client(GW, "cli_1", "wrong", transport=httpx.MockTransport(refuse)) as api, \
            pytest.raises(ProblemError) as raised:
        api.get_school("s1")
    assert raised.value.status == 401 and raised.value.detail == "invalid_client"
    with Client(GW, "cli_1", "wrong", transport=httpx.MockTransport(refuse)) as api, pytest.raises(ProblemError):
        api.authenticate()  # what `improvenet login` calls: refused at once, before any routine


def test_a_non_json_error_still_raises_a_problem() -> None:
    gw = Gateway(lambda r: httpx.Response(502, text="<html>bad gateway</html>"))
    with client(gw) as api, pytest.raises(ProblemError) as raised:
        api.get_school("s1")
    assert raised.value.status == 502 and raised.value.title == "Bad Gateway"


def paged(request: httpx.Request) -> httpx.Response:
    """Five commitments, two per page, next_page_token absent on the last page."""
    start = int(request.url.params.get("page_token") or 0)
    size = int(request.url.params["page_size"])
    items = [{"id": f"c{i}"} for i in range(start, min(start + size, 5))]
    body: dict[str, Any] = {"items": items}
    if start + size < 5:
        body["next_page_token"] = str(start + size)
    return httpx.Response(200, json=body)


def test_iterators_follow_next_page_token_to_the_end() -> None:
    gw = Gateway(paged)
    with client(gw) as api:
        ids = [c["id"] for c in api.iter_commitments(page_size=2, status="open", school_id=None)]
    assert ids == ["c0", "c1", "c2", "c3", "c4"]
    calls = gw.api_requests()
    assert [r.url.params.get("page_token") for r in calls] == [None, "2", "4"]
    assert all(r.url.params["status"] == "open" and "school_id" not in r.url.params for r in calls)


def test_list_parameters_repeat_and_path_parameters_are_escaped() -> None:
    gw = Gateway(lambda r: httpx.Response(200, json={"agenda_tags": [], "candidates": []}))
    with client(gw) as api:
        api.chair_suggestion("n/1", ["reasoning", "talk"], ["e1", "e2"])
    r = gw.api_requests()[0]
    assert r.url.raw_path.startswith(b"/api/v1/networks/networks/n%2F1/chair-suggestion")
    assert r.url.params.get_list("tags") == ["reasoning", "talk"]
    assert r.url.params.get_list("attendee_ids") == ["e1", "e2"]


def test_async_client_has_the_same_mechanics() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}, json={"title": "x", "status": 429}),
                    httpx.Response(201, json={"id": "v1"})])
    gw = Gateway(lambda r: next(answers) if r.url.path.endswith("/visits") else paged(r))
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def scenario() -> list[str]:
        async with AsyncClient(GW, "cli_1", "s3cret", transport=httpx.MockTransport(gw), sleep=sleep) as api:
            await api.create_visit({"school_id": "s1"})
            return [c["id"] async for c in api.iter_commitments(page_size=2)]

    assert asyncio.run(scenario()) == ["c0", "c1", "c2", "c3", "c4"]
    posts = [r for r in gw.api_requests() if r.method == "POST"]
    assert sleeps == [2.0] and posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert gw.tokens == 1


def test_async_client_is_generated_from_the_sync_one_and_up_to_date() -> None:
    here = _unasync.HERE
    assert (here / "_async_client.py").read_text() == _unasync.generate((here / "_sync_client.py").read_text()), \
        "run `python -m improvenet_client._unasync`"
    sync_methods = {n for n in vars(Client) if not n.startswith("__")} - {"close"}
    async_methods = {n for n in vars(AsyncClient) if not n.startswith("__")} - {"aclose"}
    assert sync_methods == async_methods


def test_retry_after_parsing() -> None:
    assert _core.retry_after("7") == 7.0
    assert _core.retry_after(None) is None and _core.retry_after("soon") is None
    assert _core.retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=90.0) == 10.0


# --- the offline queue and the profiles (local files) ---------------------------------------------------
def test_offline_queue_keeps_device_ids_across_resends(tmp_path: Path) -> None:
    q = OfflineQueue(tmp_path / "offline.sqlite")
    a = q.add_note("v1", "c1", "o1", "Students compare strategies", ["S1"], "2026-11-24T09:00:00+00:00")
    q.add_note("v1", "c1", "o1", "Task asks for a drawing", ["K1"], "2026-11-24T09:05:00+00:00")
    q.add_note("v1", "c2", "o1", "Teacher asks 'how do you know?'", [], "2026-11-24T09:30:00+00:00")
    first = q.batches()
    again = OfflineQueue(tmp_path / "offline.sqlite").batches()  # another process, the same file
    assert first == again and len(first) == 1 and len(first[0]) == 2
    by_room = {r["classroom_id"]: r for r in first[0]}
    assert by_room["c1"]["notes"][0]["client_id"] == a
    assert a.startswith(q.device_id + ":n:") and by_room["c1"]["client_id"].startswith(q.device_id + ":r:")
    assert OfflineQueue(tmp_path / "offline.sqlite").device_id == q.device_id

    uploads: list[dict[str, Any]] = []

    def batch(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        uploads.append(body)
        return httpx.Response(200, json={"records": [{"client_id": r["client_id"], "id": f"id-{r['client_id']}",
                                                      "outcome": "created"} for r in body["records"]]})

    result = q.sync(client(Gateway(batch)))
    assert (result.records_created, result.notes) == (2, 3) and q.pending() == []
    q.forget_uploaded()
    q.sync(client(Gateway(batch)))
    assert uploads[0] == uploads[1]  # the resend carries the very same device ids


def test_profile_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPROVENET_CONFIG_DIR", str(tmp_path / "cfg"))
    save_profile(Profile("default", "http://gw", "cli_1", 'se"cr\\et'))
    save_profile(Profile("west", "http://west", "cli_2", "x"))
    assert stat.S_IMODE(config_file().stat().st_mode) == 0o600
    profiles = load_profiles()
    assert profiles["default"].client_secret == 'se"cr\\et' and profiles["west"].gateway == "http://west"
