from __future__ import annotations

import pytest

from libs.common.concurrency import etag, expected_version
from libs.common.pagination import decode_cursor, encode_cursor, page_of
from libs.common.problems import Problem, field_path, validation_errors
from libs.common.settings import database_url_for, split_pems


def test_field_paths_read_like_the_request() -> None:
    assert field_path(("body", "items", 3, "school_id")) == "items[3].school_id"
    assert field_path(("query", "page_size")) == "page_size"
    assert field_path(("body",)) == "body"


def test_unknown_fields_and_malformed_json_are_named_plainly() -> None:
    errors = validation_errors([{"loc": ("body", "salary"), "msg": "Extra inputs are not permitted",
                                 "type": "extra_forbidden"},
                                {"loc": ("body", 17), "msg": "JSON decode error", "type": "json_invalid"}])
    assert errors[0]["field"] == "salary" and errors[0]["message"] == "unknown field"
    assert errors[1]["field"] == "body"


def test_cursor_round_trip_and_refusal() -> None:
    assert decode_cursor(encode_cursor({"id": "abc"})) == {"id": "abc"}
    with pytest.raises(Problem) as bad:
        decode_cursor("not-base64-json")
    assert bad.value.status == 400 and bad.value.errors[0]["field"] == "page_token"


CRAFTED = ["not-base64-json", "e30", "eyJpZCI6IDF9", "eyJpZCI6ICJ4In0.AAAA", ".", "e30.", "\u00e9.\u00e9",
           "W10.bad", "%%%.%%%"]


@pytest.mark.parametrize("token", CRAFTED)
def test_a_page_token_this_api_did_not_issue_is_refused(token: str) -> None:
    with pytest.raises(Problem) as bad:
        decode_cursor(token)
    assert bad.value.status == 400 and bad.value.errors[0]["field"] == "page_token"


def test_an_altered_page_token_is_refused() -> None:
    import base64

    good = encode_cursor({"id": "abc"})
    _body, _, signature = good.partition(".")
    forged = base64.urlsafe_b64encode(b'{"id":"zzz"}').decode().rstrip("=")
    with pytest.raises(Problem):
        decode_cursor(f"{forged}.{signature}")
    assert decode_cursor(good) == {"id": "abc"}


def test_page_of_trims_and_points_at_the_last_row() -> None:
    rows, token = page_of([1, 2, 3], 2, lambda r: {"id": r})
    assert rows == [1, 2] and decode_cursor(token or "") == {"id": 2}
    assert page_of([1, 2], 2, lambda r: {"id": r}) == ([1, 2], None)


def test_if_match_is_required_and_parsed() -> None:
    assert expected_version(etag(7)) == 7
    assert expected_version('W/"3"') == 3
    with pytest.raises(Problem) as missing:
        expected_version(None)
    assert missing.value.status == 428
    with pytest.raises(Problem) as garbage:
        expected_version('"abc"')
    assert garbage.value.status == 412


def test_each_service_gets_its_own_database_on_the_server() -> None:
    url = database_url_for("postgresql://u:p@db:5432/postgres?sslmode=require", "improvenet_hr")
    assert url == "postgresql://u:p@db:5432/improvenet_hr?sslmode=require"


def test_several_verification_keys_share_a_file() -> None:
    one = b"-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----\n"
    assert len(split_pems(one + one)) == 2
