"""The composition root: the one package that knows every component of the platform.

It holds the registry (name, app factory, worker, default port, the scopes each defines), the
launcher behind `make up`, the `improvenet-admin` commands and the demo loaders. Only entry points
and tests import it; services, the gateway and libs never do.
"""
