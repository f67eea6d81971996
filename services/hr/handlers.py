"""hr consumes no events yet: it is the system of record others replicate from."""

from libs.common.inbox import Consumer

CONSUMERS: list[Consumer] = []
