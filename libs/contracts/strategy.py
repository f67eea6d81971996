"""Events published by the strategy service (payload models are added with the service's aggregates)."""
