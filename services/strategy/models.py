"""strategy's tables. For now: its replica of hr's directory (schools and educators)."""

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from libs.directory import directory_tables


class StrategyTable(SQLModel, registry=registry()):
    """Base of strategy's tables: a metadata of its own, apart from the other services'."""


metadata = StrategyTable.metadata


DIRECTORY = directory_tables(StrategyTable.metadata)
