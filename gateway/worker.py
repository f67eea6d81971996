"""The gateway's worker: the audit log, the gateway's copy of hr's directory, and partner delivery
(the event store behind the feed, and the webhook dispatcher)."""

from gateway.audit import AUDIT_CONSUMER
from gateway.models import DIRECTORY
from gateway.partners import PARTNERS_CONSUMER
from gateway.partners.worker import main
from gateway.settings import GatewaySettings
from libs.directory import directory_consumer


def run(settings: GatewaySettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker gateway`)."""
    main(settings or GatewaySettings(), [AUDIT_CONSUMER, directory_consumer("gateway", DIRECTORY), PARTNERS_CONSUMER])


if __name__ == "__main__":
    run()
