from __future__ import annotations

from libs.common.bus import Message
from libs.common.outbox import ClaimedRow, backoff_seconds, settle, unblocked


def row(seq: int, aggregate: str) -> ClaimedRow:
    return ClaimedRow(seq, ("educator", aggregate), Message("t", aggregate, b"{}", {}))


def test_backoff_grows_then_caps() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [0.2, 0.4, 0.8]
    assert backoff_seconds(50) == 10.0


def test_rows_behind_an_earlier_unpublished_event_outside_the_batch_wait() -> None:
    rows = [row(5, "a"), row(6, "b"), row(7, "a")]
    # aggregate a has an unpublished event 3 that another relay holds; b is clear
    assert [r.seq for r in unblocked(rows, {("educator", "a"): 3, ("educator", "b"): 6})] == [6]
    assert [r.seq for r in unblocked(rows, {("educator", "a"): 5, ("educator", "b"): 6})] == [5, 6, 7]


def test_a_failure_holds_back_the_rest_of_that_aggregate_only() -> None:
    rows = [row(1, "a"), row(2, "b"), row(3, "a"), row(4, "b")]
    error = ConnectionError("down")
    published, failed = settle(rows, [error, None, None, None])
    assert published == [2, 4]
    assert failed == [(1, error)]


def test_everything_fails_when_the_bus_is_down() -> None:
    rows = [row(1, "a"), row(2, "b")]
    published, failed = settle(rows, [ConnectionError()] * 2)
    assert published == [] and [s for s, _ in failed] == [1, 2]
