"""The event loop each process runs on, and the EVENT_LOOP override."""

from __future__ import annotations

import asyncio

import pytest
import uvloop

from libs.common import event_loop


def test_the_gateway_runs_on_asyncio_and_services_on_uvloop() -> None:
    assert event_loop.loop_for("gateway", {}) == "asyncio"
    assert event_loop.loop_for("hr", {}) == "uvloop"
    assert event_loop.loop_for("observations", {"EVENT_LOOP": ""}) == "uvloop"


def test_event_loop_sets_every_process() -> None:
    assert event_loop.loop_for("gateway", {"EVENT_LOOP": "uvloop"}) == "uvloop"
    assert event_loop.loop_for("hr", {"EVENT_LOOP": "asyncio"}) == "asyncio"


def test_an_unknown_loop_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="EVENT_LOOP must be one of uvloop, asyncio, not 'trio'"):
        event_loop.loop_for("hr", {"EVENT_LOOP": "trio"})


@pytest.mark.parametrize(("component", "expected"), [("gateway", asyncio.BaseEventLoop), ("hr", uvloop.Loop)])
def test_run_uses_the_components_loop(component: str, expected: type, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_LOOP", raising=False)

    async def which() -> object:
        return asyncio.get_running_loop()

    loop = event_loop.run(which(), component)
    assert isinstance(loop, expected)
    if component == "gateway":
        assert not isinstance(loop, uvloop.Loop)
