"""The improvenet SDK: `Client` (sync) and `AsyncClient` on httpx, typed answers, problem errors, an
offline evidence queue. Importing nothing of the server: it installs alone (`pip install ./libs/client`)."""

from improvenet_client._async_client import AsyncClient
from improvenet_client._core import RetryPolicy
from improvenet_client._sync_client import Client
from improvenet_client.errors import FieldError, GatewayUnreachable, ProblemError
from improvenet_client.offline import OfflineQueue

__all__ = ["AsyncClient", "Client", "FieldError", "GatewayUnreachable", "OfflineQueue", "ProblemError",
           "RetryPolicy"]
