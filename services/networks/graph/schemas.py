"""The collaboration graph as read: measures per period, people's measures, the export, emerging leaders."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.openapi_examples import example_id

# co-attendance is mutual (an arc each way); mentoring, one way (mentor -> mentee)
EXPORTED = ("facilitator_id", "educator_id", "mentee_id")
ARCS = [("facilitator_id", "educator_id", 3.0), ("educator_id", "facilitator_id", 3.0),
        ("educator_id", "mentee_id", 1.0)]
EDGES: list[Any] = sorted(
    ({"source": example_id(a), "target": example_id(b), "weight": w} for a, b, w in ARCS),
    key=lambda e: (e["source"], e["target"]))
MEASURES: dict[str, Any] = {"nodes": 12, "edges": 29, "density": 0.4394, "reciprocity": 0.9333,
                            "centralization": 0.3091}


class Measures(BaseModel):
    nodes: int = Field(examples=[MEASURES["nodes"]])
    edges: int = Field(examples=[MEASURES["edges"]])
    density: float = Field(examples=[MEASURES["density"]])
    reciprocity: float = Field(examples=[MEASURES["reciprocity"]])
    centralization: float = Field(examples=[MEASURES["centralization"]])


class PeriodMeasures(BaseModel):
    period: str = Field(examples=["2026-10"])
    measures: Measures


class PersonPublic(BaseModel):
    educator_id: uuid.UUID
    degree: int = Field(examples=[7])
    betweenness: float = Field(examples=[0.2143])
    effective_size: float = Field(examples=[5.2857])
    betweenness_percentile: float = Field(examples=[0.9091])


class GraphPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"scope": "network", "scope_id": example_id("network_id"), "period": "2026-10", "measures": MEASURES,
         "people": [{"educator_id": example_id("facilitator_id"), "degree": 7, "betweenness": 0.2143,
                     "effective_size": 5.2857, "betweenness_percentile": 0.9091},
                    {"educator_id": example_id("educator_id"), "degree": 4, "betweenness": 0.0381,
                     "effective_size": 2.5, "betweenness_percentile": 0.4545}],
         "history": [{"period": "2026-09", "measures": {"nodes": 10, "edges": 18, "density": 0.4,
                                                         "reciprocity": 1.0, "centralization": 0.2778}},
                     {"period": "2026-10", "measures": MEASURES}],
         "computed_at": "2026-10-15T18:02:11Z", "refresh_pending": False}]})

    scope: str = Field(examples=["network"])
    scope_id: uuid.UUID
    period: str | None
    measures: Measures | None
    people: list[PersonPublic]
    history: list[PeriodMeasures]
    computed_at: datetime | None
    refresh_pending: bool = Field(False, description=(
        "A write changed this graph and the worker has not recomputed it yet (usually well under a second): "
        "the measures are those of `computed_at`."))


class ExportNode(BaseModel):
    id: uuid.UUID = Field(examples=[example_id("educator_id")])


class ExportEdge(BaseModel):
    source: uuid.UUID = Field(examples=[example_id("facilitator_id")])
    target: uuid.UUID = Field(examples=[example_id("educator_id")])
    weight: float = Field(examples=[3.0])


class GraphExport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"directed": True, "nodes": [{"id": i} for i in sorted(example_id(n) for n in EXPORTED)],
         "edges": EDGES}]})

    directed: bool
    nodes: list[ExportNode]
    edges: list[ExportEdge]


class EmergedLeader(BaseModel):
    educator_id: uuid.UUID
    period: str = Field(examples=["2026-10"])
    betweenness_percentile: float = Field(examples=[0.4545])
    created_at: datetime = Field(examples=["2026-10-15T18:02:11Z"])
