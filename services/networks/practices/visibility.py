"""Who reads a practice of the library, inside its tenant (another tenant reads only published ones, in
the library).

- `published` and `tenant`: every token of the tenant;
- `network`: tokens not limited to some schools, and tokens limited to a school of the practice's network;
- always: tokens limited to the practice's origin school (its own practice, whatever the network).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from services.networks.practices.schemas import Visibility

EVERYONE_IN_TENANT = (Visibility.tenant, Visibility.published)


def may_read(visibility: Visibility | str, origin_school_id: uuid.UUID, network_school_ids: Collection[uuid.UUID],
             schools: Collection[uuid.UUID] | None) -> bool:
    """Whether a token of the practice's tenant limited to `schools` (None: not limited) may read it."""
    if schools is None or Visibility(visibility) in EVERYONE_IN_TENANT:
        return True
    return origin_school_id in schools or any(s in schools for s in network_school_ids)
