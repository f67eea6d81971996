"""Signatures the `standardwebhooks` package accepts (and refuses when tampered), a retry schedule that
keeps trying for at least 24 hours with the production settings, and webhook URLs that cannot point
into the cluster. No database needed."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from gateway.partners.dispatcher import backoff_seconds
from gateway.partners.routes import check_url
from gateway.partners.settings import PartnerSettings
from gateway.partners.signing import new_secret, webhook_headers
from libs.common.problems import Problem


def test_signatures_verify_with_standardwebhooks_and_rotation_sends_both() -> None:
    old, new = new_secret(), new_secret()
    body = b'{"specversion":"1.0","id":"e-1","type":"org.improvenet.hr.school.registered","data":{}}'
    headers = webhook_headers([new, old], "e-1", int(time.time()), body)
    assert headers["webhook-signature"].count("v1,") == 2
    assert Webhook(new).verify(body, headers) == Webhook(old).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body.replace(b"e-1", b"e-2"), headers)  # a changed body
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)  # somebody else's secret
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body, {**headers, "webhook-id": "e-2"})  # a replayed signature on another id
    stale = webhook_headers([new], "e-1", int(time.time()) - 3600, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body, stale)  # too old: the timestamp is signed, replays are refused


def test_production_retries_back_off_exponentially_for_more_than_24_hours() -> None:
    settings = PartnerSettings()
    delays = [backoff_seconds(n, settings) for n in range(1, 200)]
    assert delays[:4] == [5.0, 10.0, 20.0, 40.0] and max(delays) == settings.retry_max_seconds
    elapsed, attempts = 0.0, 0
    while elapsed < settings.retry_window_seconds:
        attempts += 1
        elapsed += backoff_seconds(attempts, settings)
    assert settings.retry_window_seconds >= 24 * 3600
    assert 24 * 3600 <= elapsed and attempts > 24  # at least hourly tries across the whole window


@pytest.mark.parametrize("url", ["http://hooks.example.org/x", "https://127.0.0.1/x", "https://10.1.2.3/x",
                                 "https://169.254.169.254/latest", "https://[::1]/x", "https://localhost/x",
                                 "https://api.default.svc/x", "https://[::1/x", "https://h.example.org:99999/x",
                                 "ftp://hooks.example.org/x", "/relative"])
def test_webhook_urls_must_be_public_https(url: str) -> None:
    with pytest.raises(Problem) as refused:
        check_url(url, PartnerSettings(), required=True)
    assert refused.value.status == 422 and refused.value.errors[0]["field"] == "url"


def test_a_public_https_url_is_accepted() -> None:
    check_url("https://hooks.example.org/improvenet?x=1", PartnerSettings(), required=True)
    check_url("http://127.0.0.1:8080/hook", PartnerSettings(allow_insecure_urls=True), required=True)
