"""Writes `_async_client.py` from `_sync_client.py` (the way httpcore keeps its two halves in step): one
source of truth for the calls, so the async client can never lack a method the sync one has.

    python -m improvenet_client._unasync
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent
# (pattern, replacement), applied in order
RULES: list[tuple[str, str]] = [
    (r'^"""The synchronous SDK\..*?"""', '"""The asynchronous SDK, generated from `_sync_client.py` by '
     '`python -m improvenet_client._unasync`:\ndo not edit by hand."""'),
    (r"^# ruff: noqa: UP028 .*\n\n", ""),  # only the sync file's loops could be `yield from`
    (r"^import time$", "import asyncio\nimport time"),
    (r"from collections\.abc import Callable, Iterator, Mapping, Sequence",
     "from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence"),
    (r"\bIterator\[", "AsyncIterator["),
    (r"class Client:", "class AsyncClient:"),
    (r"with Client\(", "async with AsyncClient("),
    (r"for c in api\.iter_", "async for c in api.iter_"),
    (r"Callable\[\[float\], None\] = time\.sleep", "Callable[[float], Awaitable[None]] = asyncio.sleep"),
    (r"httpx\.BaseTransport", "httpx.AsyncBaseTransport"),
    (r"httpx\.Client\(", "httpx.AsyncClient("),
    (r"def __enter__\(self\) -> Client", "def __aenter__(self) -> AsyncClient"),
    (r"def __exit__", "def __aexit__"),
    (r"def close\(self\)", "def aclose(self)"),
    (r"self\._http\.close\(\)", "await self._http.aclose()"),
    (r"self\.close\(\)", "await self.aclose()"),
    (r"^    def (?!__init__)", "    async def "),
    (r"self\._(http\.request|send|call|bearer|fetch_token|person_token|sleep)\(", r"await self._\1("),
    (r"for item in self\._pages\(", "async for item in self._pages("),
]


def generate(source: str) -> str:
    for pattern, replacement in RULES:
        source = re.sub(pattern, replacement, source, flags=re.MULTILINE | re.DOTALL if pattern.startswith('^"""')
                        else re.MULTILINE)
    return source


def main() -> None:
    (HERE / "_async_client.py").write_text(generate((HERE / "_sync_client.py").read_text()))


if __name__ == "__main__":
    main()
