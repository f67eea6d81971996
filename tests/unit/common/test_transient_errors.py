"""Which failures a consumer or job retries without limit (the database is away) and which count against the
event (the statement is wrong): a wrong answer either dead-letters events during an outage or retries a
poison event forever."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from libs.common.inbox import is_transient


def wrapped(orig: Exception) -> DBAPIError:
    """As SQLAlchemy's asyncpg dialect raises it: the driver error as `orig`, the connection still valid."""
    return DBAPIError("SELECT 1", {}, orig, connection_invalidated=False)


AWAY = [
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),  # 57P01
    asyncpg.CannotConnectNowError("the database system is starting up"),  # 57P03
    asyncpg.TooManyConnectionsError("sorry, too many clients already"),  # 53300
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.ObjectNotInPrerequisiteStateError('database "improvenet_hr" is not currently accepting connections'),
    asyncpg.InternalClientError("cannot switch to state 11; another operation (2) is in progress"),
    ConnectionRefusedError(111, "Connection refused"),
]
WRONG = [
    asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),
    asyncpg.ObjectNotInPrerequisiteStateError('currval of sequence "s" is not yet defined in this session'),
    asyncpg.InvalidTextRepresentationError("invalid input syntax for type uuid"),
    ValueError("a handler's own bug"),
]


@pytest.mark.parametrize("error", AWAY, ids=lambda e: type(e).__name__)
def test_an_absent_or_overloaded_database_is_transient_raw_or_wrapped(error: Exception) -> None:
    assert is_transient(error)
    assert is_transient(wrapped(error))


@pytest.mark.parametrize("error", WRONG, ids=lambda e: f"{type(e).__name__}-{str(e)[:12]}")
def test_a_statement_or_handler_at_fault_is_not(error: Exception) -> None:
    assert not is_transient(error)
    assert not is_transient(wrapped(error))


def test_an_invalidated_connection_is_transient_whatever_the_driver_said() -> None:
    assert is_transient(DBAPIError("SELECT 1", {}, ValueError("?"), connection_invalidated=True))
