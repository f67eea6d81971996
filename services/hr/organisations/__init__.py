"""Organisations: the tenant's districts and schools (the directory's places)."""
