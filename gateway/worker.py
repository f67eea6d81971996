"""`python -m gateway.worker`: fills the audit log and the gateway's copy of hr's directory."""

from gateway.audit import AUDIT_CONSUMER
from gateway.models import DIRECTORY
from gateway.settings import GatewaySettings
from libs.common.directory import directory_consumer
from libs.common.worker import main

if __name__ == "__main__":
    main(GatewaySettings(), [AUDIT_CONSUMER, directory_consumer("gateway", DIRECTORY)])
