"""The graph and the event feed on the client side, against a scripted gateway: the SDK calls (long-poll
timeout, cursors followed, waiting out a pending recomputation), the graph's drawing (a deterministic
circular layout, sizes and widths, a PNG of the stated size), and the two commands' output and exit codes
(`graph network`, `events tail` with and without --follow, stopped with Ctrl-C)."""

from __future__ import annotations

import json
import math
import os
import signal
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from improvenet_client import Client, charts, cli, output
from improvenet_client import models as m
from rich.console import Console
from typer.testing import CliRunner

GW = "http://gateway.test"
NET = "6f1c2d3e-0000-4000-8000-00000000000a"
A, B, C = (f"00000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))
Handler = Callable[[httpx.Request], httpx.Response]


class Gateway:
    """The token endpoint plus `api`; keeps every API request."""

    def __init__(self, api: Handler) -> None:
        self.api = api
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "tok", "expires_in": 3600})
        self.requests.append(request)
        return self.api(request)


def sdk(gw: Gateway, sleeps: list[float] | None = None) -> Client:
    return Client(GW, "cli_1", "s3cret", transport=httpx.MockTransport(gw),
                  sleep=sleeps.append if sleeps is not None else (lambda _: None))


def event(seq: int, type_: str = "org.improvenet.hr.school.registered") -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"ev-{seq}", "type": type_, "subject": f"school-{seq}",
            "time": f"2026-12-03T09:00:{seq:02d}+00:00", "source": "/improvenet/hr", "data": {}}


class Feed:
    """A feed of numbered events: `after` is the last seq read; pages of at most `limit`."""

    def __init__(self, count: int, interrupt_after_calls: int | None = None) -> None:
        self.events = [event(n) for n in range(1, count + 1)]
        self.interrupt_after_calls = interrupt_after_calls
        self.calls: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/events"
        params = dict(request.url.params)
        self.calls.append(params)
        if self.interrupt_after_calls is not None and len(self.calls) > self.interrupt_after_calls:
            raise KeyboardInterrupt  # Ctrl-C while the long-poll waits
        after, limit = int(params["after"]), int(params["limit"])
        page = self.events[after:after + limit]
        return httpx.Response(200, json={"items": page, "next_cursor": str(after + len(page))})


GRAPH: m.Graph = {
    "scope": "network", "scope_id": NET, "period": "2026-11",
    "measures": {"nodes": 3, "edges": 4, "density": 0.6667, "reciprocity": 1.0, "centralization": 1.0},
    "people": [{"educator_id": B, "degree": 2, "betweenness": 1.0, "effective_size": 2.0,
                "betweenness_percentile": 1.0},
               {"educator_id": A, "degree": 1, "betweenness": 0.0, "effective_size": 1.0,
                "betweenness_percentile": 0.0},
               {"educator_id": C, "degree": 1, "betweenness": 0.0, "effective_size": 1.0,
                "betweenness_percentile": 0.0}],
    "history": [{"period": "2026-10", "measures": {"nodes": 2, "edges": 2, "density": 1.0, "reciprocity": 1.0,
                                                   "centralization": 0.0}},
                {"period": "2026-11", "measures": {"nodes": 3, "edges": 4, "density": 0.6667, "reciprocity": 1.0,
                                                   "centralization": 1.0}}],
    "computed_at": "2026-11-30T18:00:00Z", "refresh_pending": False}
EXPORT: m.GraphExport = {"directed": True, "nodes": [{"id": A}, {"id": B}, {"id": C}], "edges": [
    {"source": A, "target": B, "weight": 3.0}, {"source": B, "target": A, "weight": 3.0},
    {"source": B, "target": C, "weight": 1.0}, {"source": C, "target": B, "weight": 1.0}]}


def graph_api(graph: dict[str, Any]) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/graph/export"):
            return httpx.Response(200, json=EXPORT)
        assert request.url.path == f"/api/v1/networks/networks/{NET}/graph"
        return httpx.Response(200, json=graph)

    return answer


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- the SDK -------------------------------------------------------------------------------------------
def test_read_events_sends_the_cursor_and_waits_longer_than_the_long_poll() -> None:
    feed = Feed(3)
    gw = Gateway(feed)
    with sdk(gw) as api:
        page = api.read_events("1", ["org.improvenet.hr.school.registered", "org.improvenet.hr.school.updated"],
                               limit=50, wait=25)
    assert [e["id"] for e in page["items"]] == ["ev-2", "ev-3"] and page["next_cursor"] == "3"
    assert feed.calls == [{"after": "1", "types": "org.improvenet.hr.school.registered,"
                           "org.improvenet.hr.school.updated", "limit": "50", "wait": "25"}]
    # the client's 30 s default would cut a 25 s long-poll short on a busy gateway
    assert gw.requests[0].extensions["timeout"]["read"] > 25


def test_follow_events_reads_on_from_each_next_cursor() -> None:
    feed = Feed(5)
    with sdk(Gateway(feed)) as api:
        pages = api.follow_events("0", limit=2, wait=1)
        cursors = [next(pages)["next_cursor"] for _ in range(4)]
    assert cursors == ["2", "4", "5", "5"]  # the last one: nothing new, the same cursor again
    assert [c["after"] for c in feed.calls] == ["0", "2", "4", "5"]


def test_wait_for_network_graph_polls_until_the_worker_has_measured() -> None:
    answers = iter([{**GRAPH, "refresh_pending": True}, {**GRAPH, "refresh_pending": True}, GRAPH])
    sleeps: list[float] = []
    gw = Gateway(lambda _: httpx.Response(200, json=next(answers)))
    with sdk(gw, sleeps) as api:
        measured = api.wait_for_network_graph(NET, timeout=30, poll=0.25)
    assert measured["refresh_pending"] is False and len(gw.requests) == 3 and sleeps == [0.25, 0.25]


def test_wait_for_network_graph_answers_the_pending_graph_after_its_timeout() -> None:
    gw = Gateway(lambda _: httpx.Response(200, json={**GRAPH, "refresh_pending": True}))
    with sdk(gw) as api:
        measured = api.wait_for_network_graph(NET, timeout=0, poll=0)
    assert measured["refresh_pending"] is True and len(gw.requests) == 1


# --- drawing the graph -----------------------------------------------------------------------------------
def test_the_circular_layout_is_deterministic_and_on_the_unit_circle() -> None:
    at = charts.circular_layout([C, A, B, A])
    assert list(at) == [A, B, C] and at == charts.circular_layout([B, C, A])  # sorted, whatever the order
    assert at[A] == pytest.approx((0.0, 1.0))  # the first at the top
    assert all(math.hypot(x, y) == pytest.approx(1.0) for x, y in at.values())
    assert at[B][0] > 0 > at[C][0]  # clockwise
    assert charts.circular_layout([A]) == {A: (0.0, 0.0)} and charts.circular_layout([]) == {}


def test_degrees_count_each_neighbour_once_and_sizes_scale_with_them() -> None:
    counted = charts.neighbour_counts(EXPORT)
    assert counted == {A: 1, B: 2, C: 1}  # a tie both ways is one neighbour
    sizes = charts.scaled({k: float(v) for k, v in counted.items()}, 80.0, 900.0)
    assert sizes[B] == 900.0 and sizes[A] == sizes[C] == pytest.approx(80 + 820 / 2)
    assert charts.scaled({A: 0.0}, 1.0, 5.0) == {A: 1.0}


def test_the_graph_png_has_its_size_and_shows_the_ties(tmp_path: Path) -> None:
    drawn = charts.graph_png(EXPORT, tmp_path / "g.png", "network", {A: 1, B: 2, C: 1})
    empty = charts.graph_png({"directed": True, "nodes": [], "edges": []}, tmp_path / "e.png", "network")
    assert png_size(drawn) == png_size(empty) == charts.GRAPH_PNG_SIZE
    # ties, arrows and nodes are drawn: more ink, so a larger PNG, than the empty graph's
    assert drawn.stat().st_size > empty.stat().st_size + 2000


# --- the commands ----------------------------------------------------------------------------------------
@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Run the CLI in-process with its client on a scripted gateway, on consoles 200 columns wide (the
    module's own are sized when imported, from a terminal pytest does not have)."""
    runner = CliRunner()
    wide, wide_err = Console(highlight=False, soft_wrap=True, width=200), Console(stderr=True, highlight=False,
                                                                                 soft_wrap=True, width=200)
    for module in (cli, output):
        monkeypatch.setattr(module, "out", wide)
        monkeypatch.setattr(module, "err", wide_err)

    def invoke(handler: Handler, *args: str) -> Any:
        monkeypatch.setattr(cli, "client", lambda: sdk(Gateway(handler)))
        return runner.invoke(cli.app, list(args), env={"NO_COLOR": "1"})

    yield invoke


def test_graph_network_shows_the_measures_by_month_and_the_top_people(run: Callable[..., Any],
                                                                      tmp_path: Path) -> None:
    done = run(graph_api(dict(GRAPH)), "graph", "network", NET, "--top", "2", "--png", str(tmp_path / "n.png"))
    assert done.exit_code == 0, done.output
    assert "2026-10" in done.stdout and "2026-11" in done.stdout and "density" in done.stdout
    assert "top 2 of 3 people" in done.stdout and B in done.stdout
    assert "3 people, 4 directed ties (total weight 8)" in done.stdout
    assert "not recomputed" not in done.stderr and "wrote" in done.stderr
    assert png_size(tmp_path / "n.png") == charts.GRAPH_PNG_SIZE


def test_graph_network_says_when_the_worker_has_not_recomputed_yet(run: Callable[..., Any]) -> None:
    pending = run(graph_api({**GRAPH, "refresh_pending": True}), "graph", "network", NET, "-o", "json")
    assert pending.exit_code == 0
    assert json.loads(pending.stdout)["graph"]["refresh_pending"] is True
    assert "not recomputed yet" in pending.stderr and "2026-11-30T18:00:00Z" in pending.stderr
    empty = {**GRAPH, "period": None, "measures": None, "people": [], "history": [], "computed_at": None}
    none = run(graph_api(empty), "graph", "network", NET, "-o", "csv")
    assert none.exit_code == 0 and none.stdout.splitlines() == [",".join(cli.PERSON_COLUMNS)]
    assert "no ties recorded yet" in none.stderr


def test_graph_network_csv_has_every_person_ranked(run: Callable[..., Any]) -> None:
    done = run(graph_api(dict(GRAPH)), "graph", "network", NET, "--top", "1", "-o", "csv")
    lines = done.stdout.splitlines()
    assert lines[0] == ",".join(cli.PERSON_COLUMNS)
    assert [line.split(",")[:2] for line in lines[1:]] == [["1", B], ["2", A], ["3", C]]  # --top is the table's


def test_events_tail_prints_what_is_there_and_the_cursor(run: Callable[..., Any]) -> None:
    feed = Feed(7)
    done = run(feed, "events", "tail", "--after", "2", "-o", "json")
    assert done.exit_code == 0, done.output
    page = json.loads(done.stdout)
    assert [e["id"] for e in page["items"]] == [f"ev-{n}" for n in range(3, 8)] and page["next_cursor"] == "7"
    assert "cursor: 7" in done.stderr and "--after 7" in done.stderr
    assert all(c["wait"] == "0" for c in feed.calls)  # without --follow, nothing waits


def test_events_tail_stops_at_its_limit_and_says_there_may_be_more(run: Callable[..., Any]) -> None:
    done = run(Feed(7), "events", "tail", "--limit", "3", "--types", "org.improvenet.hr.school.registered")
    assert done.exit_code == 0
    assert "ev-3" in done.stdout and "ev-4" not in done.stdout and "3 events after cursor 0" in done.stdout
    assert "cursor: 3" in done.stderr and "there may be more" in done.stderr


def test_events_tail_follow_stopped_with_ctrl_c_exits_130_with_the_cursor(run: Callable[..., Any]) -> None:
    feed = Feed(3, interrupt_after_calls=2)
    done = run(feed, "events", "tail", "--follow", "--wait", "5", "-o", "json")
    assert done.exit_code == cli.EXIT_INTERRUPTED == 130
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["ev-1", "ev-2", "ev-3"]
    assert "resume with `improvenet events tail --follow --after 3`" in done.stderr
    assert "Aborted" not in done.output  # ours, not click's generic Ctrl-C message (exit 1)
    assert [c["wait"] for c in feed.calls] == ["5.0", "5.0", "5.0"]


def test_a_ctrl_c_while_a_page_is_printed_waits_for_the_page_and_its_cursor(run: Callable[..., Any],
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The signal arrives right after the first event of a page is written (as a person sees it and presses
    Ctrl-C): the page is printed whole and the cursor printed is after it, not before it."""
    written = cli.EventStream.write

    def write_then_interrupt(self: cli.EventStream, items: Any) -> None:
        written(self, items[:1])
        os.kill(os.getpid(), signal.SIGINT)
        written(self, items[1:])

    monkeypatch.setattr(cli.EventStream, "write", write_then_interrupt)
    # as in a fresh `improvenet` process (another test of this run may have left an event loop's handler)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        done = run(Feed(3), "events", "tail", "--follow", "-o", "json")
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Python's own handler again
    finally:
        signal.signal(signal.SIGINT, before)
    assert done.exit_code == 130, done.output
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["ev-1", "ev-2", "ev-3"]
    assert "stopped at cursor 3" in done.stderr


def test_events_tail_follow_with_a_limit_ends_by_itself(run: Callable[..., Any]) -> None:
    done = run(Feed(9), "events", "tail", "--follow", "--limit", "2", "-o", "csv")
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == ",".join(cli.EVENT_COLUMNS) and [line.split(",")[-1] for line in lines[1:]] == ["ev-1", "ev-2"]
    assert "cursor: 2" in done.stderr


def test_events_tail_without_a_subscription_says_who_can_grant_one(run: Callable[..., Any]) -> None:
    refused = run(lambda _: httpx.Response(403, json={
        "type": "https://improvenet.example/problems/no-subscription", "title": "Forbidden", "status": 403,
        "detail": "this client has no active feed subscription in its organisation"}), "events", "tail")
    assert refused.exit_code == cli.EXIT_PROBLEM
    assert "no active feed subscription" in refused.stderr and "partners/subscriptions" in refused.stderr
    assert "mode \"feed\"" in refused.stderr
