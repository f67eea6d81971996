"""The collaboration graph as read: measures per period, people's measures, the export, emerging leaders."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class Measures(BaseModel):
    nodes: int
    edges: int
    density: float
    reciprocity: float
    centralization: float


class PeriodMeasures(BaseModel):
    period: str
    measures: Measures


class PersonPublic(BaseModel):
    educator_id: uuid.UUID
    degree: int
    betweenness: float
    effective_size: float
    betweenness_percentile: float


class GraphPublic(BaseModel):
    scope: str
    scope_id: uuid.UUID
    period: str | None
    measures: Measures | None
    people: list[PersonPublic]
    history: list[PeriodMeasures]
    computed_at: datetime | None


class ExportNode(BaseModel):
    id: uuid.UUID


class ExportEdge(BaseModel):
    source: uuid.UUID
    target: uuid.UUID
    weight: float


class GraphExport(BaseModel):
    directed: bool
    nodes: list[ExportNode]
    edges: list[ExportEdge]


class EmergedLeader(BaseModel):
    educator_id: uuid.UUID
    period: str
    betweenness_percentile: float
    created_at: datetime
