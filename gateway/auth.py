"""Where the identity provider's pieces used to live; kept so existing imports keep working
(`improvenet-admin rotate-signing-key` imports SigningKeys from here). New code imports
`gateway.identity.*`."""

from gateway.identity.clients import Clients, check_scopes, hash_secret, new_client_id, new_secret, secret_matches
from gateway.identity.issuer import granted_scopes, token_error
from gateway.identity.keys import SigningKeys, mint, pem_of, public_jwk

__all__ = ["Clients", "SigningKeys", "check_scopes", "granted_scopes", "hash_secret", "mint", "new_client_id",
           "new_secret", "pem_of", "public_jwk", "secret_matches", "token_error"]
