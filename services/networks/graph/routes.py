"""The collaboration graph: measures (read from the projection), the export, emerging leaders."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import networkx as nx
from fastapi import APIRouter, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import SessionDep
from libs.common.problems import not_found, problem_responses
from libs.common.repository import get_or_404
from services.networks.common import network_or_404
from services.networks.graph import service
from services.networks.graph.schemas import (
    EmergedLeader,
    ExportEdge,
    ExportNode,
    GraphExport,
    GraphPublic,
    Measures,
    PeriodMeasures,
    PersonPublic,
)
from services.networks.models import DIRECTORY

READ = require("networks:read")
router = APIRouter(tags=["collaboration graph"], responses=problem_responses(400, 401, 403, 404, 422))


def _public(scope: service.Scope, rows: list[Any], pending: bool) -> GraphPublic:
    history = [PeriodMeasures(period=r["period"], measures=Measures(**r["measures"])) for r in rows]
    if not rows:
        return GraphPublic(scope=scope.kind, scope_id=scope.id, period=None, measures=None, people=[],
                           history=[], computed_at=None, refresh_pending=pending)
    last = rows[-1]
    people = sorted((PersonPublic(educator_id=uuid.UUID(p), **m) for p, m in last["people"].items()),
                    key=lambda p: (-p.betweenness, str(p.educator_id)))
    return GraphPublic(scope=scope.kind, scope_id=scope.id, period=last["period"],
                       measures=Measures(**last["measures"]), people=people, history=history,
                       computed_at=last["computed_at"], refresh_pending=pending)


@router.get("/networks/{network_id}/graph", response_model=GraphPublic, dependencies=[READ],
            summary="The network's collaboration graph measures, by month (a projection the worker keeps, not "
                    "computed per request)")
async def network_graph(network_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    await network_or_404(session, principal, network_id)
    scope = service.Scope("network", network_id)
    return _public(scope, await service.stored(session, principal.tenant_id, scope),
                   await service.pending(session, principal.tenant_id, scope))


@router.get("/schools/{school_id}/graph", response_model=GraphPublic, dependencies=[READ],
            summary="A school's collaboration graph measures, by month")
async def school_graph(school_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    schools = DIRECTORY.schools
    await get_or_404(session, schools, school_id, principal.tenant_id, label="school", id_column="school_id",
                     where=[schools.c.removed.is_(False)])
    if not principal.may_see_school(school_id):
        raise not_found("school")
    scope = service.Scope("school", school_id)
    return _public(scope, await service.stored(session, principal.tenant_id, scope),
                   await service.pending(session, principal.tenant_id, scope))


@router.get("/networks/{network_id}/graph/export", response_model=GraphExport, dependencies=[READ],
            summary="Nodes and weighted edges for drawing: JSON, or GraphML with format=graphml",
            responses={200: {"content": {"application/graphml+xml": {}}}})
async def export(network_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                 format: Literal["json", "graphml"] = "json") -> Any:
    await network_or_404(session, principal, network_id)
    g = await service.current_graph(session, principal.tenant_id, service.Scope("network", network_id))
    if format == "graphml":
        named = nx.relabel_nodes(g, {n: str(n) for n in g.nodes})
        return Response("\n".join(nx.generate_graphml(named)), media_type="application/graphml+xml")
    return GraphExport(directed=True, nodes=[ExportNode(id=n) for n in sorted(g.nodes, key=str)],
                       edges=[ExportEdge(source=a, target=b, weight=w)
                              for a, b, w in sorted(g.edges(data="weight"), key=lambda e: (str(e[0]), str(e[1])))])


@router.get("/networks/{network_id}/emerging-leaders", response_model=list[EmergedLeader], dependencies=[READ],
            summary="Members whose betweenness percentile rose over the last periods (offered to hr)")
async def emerging_leaders(network_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    await network_or_404(session, principal, network_id)
    return [EmergedLeader.model_validate(dict(r)) for r in await service.emerged(session, principal.tenant_id,
                                                                                  network_id)]
