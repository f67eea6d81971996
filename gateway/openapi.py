"""One OpenAPI document for the whole platform: the gateway's own operations and every service's,
under their `/api/v1/<service>` prefixes, component names prefixed so they never collide."""

from __future__ import annotations

import copy
from typing import Any

SKIPPED_PATHS = {"/healthz", "/readyz"}


def _rewrite_refs(node: Any, rename: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                name = value.rsplit("/", 1)[1]
                out[key] = f"#/components/schemas/{rename.get(name, name)}"
            else:
                out[key] = _rewrite_refs(value, rename)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, rename) for v in node]
    return node


SHARED_SCHEMAS = {"Problem", "ProblemFieldError"}
PROXY_STATUSES = {"502": "The service answered with something that is not HTTP, or broke the exchange",
                  "504": "The service did not answer in time"}


def proxied_statuses(operation: dict[str, Any]) -> None:
    """What the gateway itself may answer for an operation it forwards."""
    responses = operation.setdefault("responses", {})
    for status, description in PROXY_STATUSES.items():
        responses.setdefault(status, {"description": description, "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})


def merge(gateway_doc: dict[str, Any], service_docs: dict[str, dict[str, Any]], api_prefix: str,
          scopes: dict[str, str]) -> dict[str, Any]:
    merged = copy.deepcopy(gateway_doc)
    merged.setdefault("paths", {})
    components = merged.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    security = components.setdefault("securitySchemes", {})
    for service, doc in sorted(service_docs.items()):
        prefix = service.capitalize()
        rename = {name: f"{prefix}{name}" for name in doc.get("components", {}).get("schemas", {})
                  if name not in SHARED_SCHEMAS}
        doc = _rewrite_refs(doc, rename)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            if name in SHARED_SCHEMAS:  # the same in every document: kept once, under its own name
                schemas[name] = schema
                continue
            # A generator names a model by its title: titles as unique as the names.
            schemas[rename[name]] = {**schema, "title": rename[name]} if "title" in schema else schema
        security.update(doc.get("components", {}).get("securitySchemes", {}))
        for path, item in doc.get("paths", {}).items():
            if path in SKIPPED_PATHS:
                continue
            for operation in item.values():
                if isinstance(operation, dict) and "operationId" in operation:
                    if not operation["operationId"].startswith(f"{service}."):
                        operation["operationId"] = f"{service}.{operation['operationId']}"
                    operation["tags"] = [f"{service}: {t}" for t in operation.get("tags") or [service]]
                    proxied_statuses(operation)
            merged["paths"][f"{api_prefix}/{service}{path}"] = item
    security["oauth2"] = {
        "type": "oauth2",
        "description": "Client credentials from your tenant administrator.",
        "flows": {"clientCredentials": {"tokenUrl": "/oauth/token",
                                        "scopes": dict(scopes)}},
    }
    merged["security"] = [{"oauth2": []}]
    return merged
