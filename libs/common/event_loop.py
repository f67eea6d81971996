"""Which event loop a process runs on: uvloop, except the gateway, which runs on asyncio's own.

Why the gateway differs: under W3's load (50 observers autosaving through it) the gateway, on uvloop 0.23.0
with its aiohttp client, died of SIGSEGV in about one run in four, inside uvloop's run loop (the crash
MagicStack/uvloop#706 reports for 0.22, still open); on asyncio it never did. asyncio costs the gateway
about 0.1 ms of CPU per request (`make bench`), a price worth a proxy that does not crash. `EVENT_LOOP`
(`uvloop` or `asyncio`) sets the loop of every process, for measuring or for working around a loop's bug.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Mapping
from typing import Any, Literal, TypeVar

import uvloop

LoopName = Literal["uvloop", "asyncio"]
LOOPS: tuple[LoopName, ...] = ("uvloop", "asyncio")
ON_ASYNCIO = frozenset({"gateway"})  # components whose default is asyncio's loop (see above)

T = TypeVar("T")


def loop_for(component: str, environ: Mapping[str, str] | None = None) -> LoopName:
    chosen = (os.environ if environ is None else environ).get("EVENT_LOOP", "").strip()
    if not chosen:
        return "asyncio" if component in ON_ASYNCIO else "uvloop"
    if chosen not in LOOPS:
        raise ValueError(f"EVENT_LOOP must be one of {', '.join(LOOPS)}, not {chosen!r}")
    return chosen  # type: ignore[return-value]  # checked against LOOPS just above


def run(main: Coroutine[Any, Any, T], component: str) -> T:
    """`asyncio.run` on the component's loop."""
    if loop_for(component) == "uvloop":
        return uvloop.run(main)
    return asyncio.run(main)
