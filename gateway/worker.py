"""The gateway's worker: the audit log, the gateway's copy of hr's directory, partner delivery (the event
store behind the feed, and the webhook dispatcher) and full tenant exports."""

from gateway.audit import AUDIT_CONSUMER
from gateway.exports import export_jobs
from gateway.models import DIRECTORY
from gateway.partners import PARTNERS_CONSUMER
from gateway.partners.worker import main
from gateway.settings import GatewaySettings
from libs.directory import directory_consumer


def run(settings: GatewaySettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker gateway`)."""
    settings = settings or GatewaySettings()
    main(settings, [AUDIT_CONSUMER, directory_consumer("gateway", DIRECTORY), PARTNERS_CONSUMER],
         jobs=[export_jobs(settings)])


if __name__ == "__main__":
    run()
