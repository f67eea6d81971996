"""The embedded identity provider: the issuer (token endpoint, JWKS, discovery, signing keys) and the
client registry with its admin routes."""
