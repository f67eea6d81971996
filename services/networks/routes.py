"""networks's HTTP API: one router per aggregate, and the read of its replica of hr's directory."""

from fastapi import APIRouter

from libs.common.problems import problem_responses
from libs.directory import directory_router
from services.networks.commitments.routes import router as commitments
from services.networks.cycles.routes import router as cycles
from services.networks.graph.routes import router as graph
from services.networks.meetings.routes import router as meetings
from services.networks.memberships.routes import router as memberships
from services.networks.models import DIRECTORY
from services.networks.networks.routes import router as networks
from services.networks.practices.routes import router as practices
from services.networks.problems.routes import router as problems
from services.networks.settings import SERVICE

# libs.directory's router documents no error responses; included through one that does (404 and the rest)
directory = APIRouter(responses=problem_responses(400, 401, 403, 404, 422))
directory.include_router(directory_router(SERVICE, DIRECTORY))
ROUTERS: list[APIRouter] = [networks, memberships, problems, meetings, practices, commitments, cycles, graph,
                            directory]
router = directory  # kept for callers that import the directory router by its old name
