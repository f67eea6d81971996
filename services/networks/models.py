"""networks's tables. For now: its replica of hr's directory (schools and educators)."""

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from libs.directory import directory_tables


class NetworksTable(SQLModel, registry=registry()):
    """Base of networks's tables: a metadata of its own, apart from the other services'."""


metadata = NetworksTable.metadata


DIRECTORY = directory_tables(NetworksTable.metadata)
