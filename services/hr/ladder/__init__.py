"""The career ladder: a tenant's stages, allowed transitions and their criteria; each move's history."""
