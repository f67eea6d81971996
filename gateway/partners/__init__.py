"""Partner delivery: tenant-scoped, type-granted events for partner apps, by signed webhooks
(Standard Webhooks) and by an HTTP event feed, both fed by one ordinary consumer group of the bus.

Wiring (a few lines in the gateway):
- app:    `app.include_router(partners_router())` before the proxy's catch-all route;
- worker: `PARTNERS_CONSUMER` among the consumers, and `WebhookDispatcher(engine).run(stop)` beside them;
- models: `include_partner_tables(metadata)`.
"""

from gateway.partners.dispatcher import PartnerSubscriptionDisabled, WebhookDispatcher, run_dispatcher_task
from gateway.partners.models import PARTNER_TABLES, include_partner_tables
from gateway.partners.routes import EVENTS_SCOPE, partners_router
from gateway.partners.settings import PartnerSettings
from gateway.partners.store import PARTNERS_CONSUMER, partners_consumer

__all__ = ["EVENTS_SCOPE", "PARTNERS_CONSUMER", "PARTNER_TABLES", "PartnerSettings", "PartnerSubscriptionDisabled",
           "WebhookDispatcher", "include_partner_tables", "partners_consumer", "partners_router",
           "run_dispatcher_task"]
