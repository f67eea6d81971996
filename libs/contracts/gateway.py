"""Events published by the gateway (identity: client revocations, key retirement)."""
