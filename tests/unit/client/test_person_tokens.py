"""A signed-in person's tokens in the SDK, against a scripted gateway (httpx.MockTransport): the device flow
polled as RFC 8628 says, the refresh token rotated and saved on every refresh, a stored access token reused
by the next process instead of spending the refresh token again, a refused access token renewed once, and
the file store private (0600) and locked."""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from improvenet_client import Client, ProblemError
from improvenet_client._core import CLI_CLIENT_ID, DEVICE_GRANT, PersonTokens
from improvenet_client.config import FileTokenStore, Profile, forget_profile, load_profiles, save_profile, tokens_file

GW = "http://gateway.test"


class RotatingGateway:
    """Refresh tokens rt-1, rt-2, ...: each may be spent once (a second spend is refused, as reuse is)."""

    def __init__(self, expires_in: int = 900, delay: float = 0.0) -> None:
        self.expires_in, self.delay = expires_in, delay
        self.issued = 1
        self.spent: set[str] = set()
        self.refreshes = 0
        self.api_tokens: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            time.sleep(self.delay)  # a real round trip: the window in which a second process could spend it too
            assert form["grant_type"] == "refresh_token" and form["client_id"] == CLI_CLIENT_ID
            assert "authorization" not in request.headers  # a public client: no secret
            if form["refresh_token"] in self.spent or form["refresh_token"] != f"rt-{self.issued}":
                return httpx.Response(400, json={"status": 400, "title": "Token request refused",
                                                 "error": "invalid_grant"})
            self.spent.add(form["refresh_token"])
            self.issued += 1
            self.refreshes += 1
            return httpx.Response(200, json={"access_token": f"at-{self.issued}", "token_type": "Bearer",
                                             "expires_in": self.expires_in, "refresh_token": f"rt-{self.issued}"})
        token = request.headers["authorization"].removeprefix("Bearer ")
        self.api_tokens.append(token)
        if token == "at-revoked":
            return httpx.Response(401, json={"status": 401, "title": "Unauthorized"})
        return httpx.Response(200, json={"person_id": "p1", "role": "observer", "scopes": ["hr:read"]})


def test_a_refresh_rotates_and_saves_the_new_refresh_token(tmp_path: Path) -> None:
    gw = RotatingGateway()
    store = FileTokenStore(tmp_path / "tokens" / "default.json")
    store.save(PersonTokens("rt-1"))
    with Client(GW, person=store, transport=httpx.MockTransport(gw)) as api:
        assert api.me()["person_id"] == "p1"
    saved = store.load()
    assert saved is not None and saved.refresh_token == "rt-2" and saved.access_token == "at-2"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    # the next process reuses the stored access token: no refresh token spent
    with Client(GW, person=store, transport=httpx.MockTransport(gw)) as api:
        api.me()
    assert gw.refreshes == 1 and gw.api_tokens == ["at-2", "at-2"]


def test_an_expired_access_token_is_renewed_and_a_refused_one_once(tmp_path: Path) -> None:
    gw = RotatingGateway()
    store = FileTokenStore(tmp_path / "t.json")
    store.save(PersonTokens("rt-1", "at-old", time.time() - 1, 900))  # expired
    with Client(GW, person=store, transport=httpx.MockTransport(gw)) as api:
        api.me()
    assert gw.api_tokens == ["at-2"]
    store.save(PersonTokens("rt-2", "at-revoked", time.time() + 800, 900))  # looks fresh, is refused
    with Client(GW, person=store, transport=httpx.MockTransport(gw)) as api:
        api.get_school("s1")
    assert gw.api_tokens[-2:] == ["at-revoked", "at-3"]


def test_two_processes_of_one_profile_never_spend_one_refresh_token_twice(tmp_path: Path) -> None:
    """Threads stand in for processes: flock excludes open file descriptions, so it holds between threads."""
    gw = RotatingGateway(delay=0.05)
    path = tmp_path / "t.json"
    FileTokenStore(path).save(PersonTokens("rt-1"))
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def command() -> None:
        start.wait()
        try:
            with Client(GW, person=FileTokenStore(path), transport=httpx.MockTransport(gw)) as api:
                api.me()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=command) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and gw.refreshes == 1


def test_no_saved_sign_in_says_to_log_in(tmp_path: Path) -> None:
    with Client(GW, person=FileTokenStore(tmp_path / "none.json"),
                transport=httpx.MockTransport(RotatingGateway())) as api, pytest.raises(ProblemError) as failure:
        api.me()
    assert failure.value.status == 401 and "improvenet login" in (failure.value.detail or "")


def test_the_device_flow_polls_until_allowed_and_says_slow_down() -> None:
    answers = iter(["authorization_pending", "slow_down", None])

    def gateway(request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if request.url.path == "/oauth/device_authorization":
            assert form == {"client_id": CLI_CLIENT_ID}
            return httpx.Response(200, json={"device_code": "dc", "user_code": "BCDF-GHJK", "interval": 5,
                                             "verification_uri": f"{GW}/device", "expires_in": 600})
        assert form == {"grant_type": DEVICE_GRANT, "device_code": "dc", "client_id": CLI_CLIENT_ID}
        error = next(answers)
        if error:
            return httpx.Response(400, json={"status": 400, "title": "Token request refused", "error": error})
        return httpx.Response(200, json={"access_token": "at", "refresh_token": "rt", "expires_in": 900})

    with Client(GW, CLI_CLIENT_ID, transport=httpx.MockTransport(gateway)) as api:
        start = api.start_device_login()
        polls = [api.poll_device_login(start["device_code"]) for _ in range(3)]
    assert polls[:2] == ["authorization_pending", "slow_down"]
    assert isinstance(polls[2], dict) and polls[2]["refresh_token"] == "rt"


def test_a_denied_device_login_raises_with_the_reason() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"status": 400, "title": "Token request refused", "error": "access_denied",
                                         "error_description": "the person denied the request"})

    with Client(GW, CLI_CLIENT_ID, transport=httpx.MockTransport(gateway)) as api, \
            pytest.raises(ProblemError) as failure:
        api.poll_device_login("dc")
    assert "denied" in (failure.value.detail or "")


def test_a_person_profile_round_trips_and_logout_forgets_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPROVENET_CONFIG_DIR", str(tmp_path))
    save_profile(Profile("me", GW, CLI_CLIENT_ID, "", person=True))
    save_profile(Profile("machine", GW, "cli_1", "s3cret"))
    FileTokenStore(tokens_file("me")).save(PersonTokens("rt-1"))
    assert load_profiles()["me"].person and not load_profiles()["machine"].person
    forget_profile("me")
    assert list(load_profiles()) == ["machine"] and not tokens_file("me").exists()
