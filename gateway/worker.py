"""The gateway's worker: fills the audit log and the gateway's copy of hr's directory."""

from gateway.audit import AUDIT_CONSUMER
from gateway.models import DIRECTORY
from gateway.settings import GatewaySettings
from libs.common.worker import main
from libs.directory import directory_consumer


def run(settings: GatewaySettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker gateway`)."""
    main(settings or GatewaySettings(), [AUDIT_CONSUMER, directory_consumer("gateway", DIRECTORY)])


if __name__ == "__main__":
    run()
