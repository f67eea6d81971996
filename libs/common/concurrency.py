"""Optimistic concurrency: `ETag` from a row version, `If-Match` required on updates (428/412)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from libs.common.problems import Problem


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int:
    if not if_match:
        raise Problem(428, "Precondition required",
                      "send If-Match with the ETag you read, so a newer change is never overwritten",
                      slug="if-match-required", errors=[{"field": "If-Match", "message": "required"}])
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    try:
        return int(value.strip('"'))
    except ValueError:
        raise Problem(412, "Precondition failed", "If-Match does not match the current ETag",
                      slug="stale-version", errors=[{"field": "If-Match", "message": "not a current ETag"}]
                      ) from None


def stale(current: int) -> Problem:
    return Problem(412, "Precondition failed",
                   f"the resource changed since you read it (current ETag {etag(current)}); read it again",
                   slug="stale-version", headers={"ETag": etag(current)},
                   errors=[{"field": "If-Match", "message": "stale"}])


IfMatch = Annotated[str | None, Header(alias="If-Match", description="ETag of the version being updated.")]
