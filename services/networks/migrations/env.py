from alembic import context

from libs.common.migrations import run_env
from services.networks.models import NetworksTable

run_env(context, NetworksTable.metadata)
