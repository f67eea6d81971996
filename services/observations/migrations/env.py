from alembic import context

from libs.common.migrations import run_env
from services.observations.models import ObservationsTable

run_env(context, ObservationsTable.metadata)
