"""Validate Kubernetes objects offline; run in a subprocess with the deploy tools on PYTHONPATH.

    python validate.py <crd-dir> <kubernetes-version>  < objects.json  > errors.json

Core kinds: the Kubernetes OpenAPI-derived JSON schemas that `kubernetes-validate` ships, in strict
mode (unknown fields are errors). Custom resources: each CRD's `openAPIV3Schema` for the served version,
made strict the way the API server's field validation is (unknown fields are errors unless the schema
preserves them). An object of a kind neither knows is an error too.

Output: one entry per input object, `{"object": "Kind/name", "errors": [...]}`.
It runs apart from the test process because kubernetes-validate brings its own jsonschema and PyYAML.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils
import yaml

# kubernetes-validate reads and parses the schema files on every call; they do not change.
kubernetes_validate.utils.schema_contents = functools.lru_cache(maxsize=None)(  # type: ignore[assignment]
    kubernetes_validate.utils.schema_contents)
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def strict(schema: Any) -> Any:
    """openAPIV3Schema -> JSON Schema: `nullable`, and no unknown fields unless preserved."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict(v) for k, v in schema.items()}
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    if (out.get("type") == "object" and "properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


def crd_schemas(crd_dir: Path) -> dict[tuple[str, str], Any]:
    schemas: dict[tuple[str, str], Any] = {}
    for path in sorted(crd_dir.glob("*.yaml")):
        for crd in yaml.load_all(path.read_text(), Loader=Loader):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for v in spec["versions"]:
                if not v.get("served"):
                    continue
                schema = strict(copy.deepcopy(v["schema"]["openAPIV3Schema"]))
                # metadata is checked as ObjectMeta by the API server, not by the CRD's schema
                schema.setdefault("properties", {})["metadata"] = {"type": "object"}
                schema["properties"]["apiVersion"] = {"const": f"{spec['group']}/{v['name']}"}
                schema["properties"]["kind"] = {"const": spec["names"]["kind"]}
                schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
                schemas[(f"{spec['group']}/{v['name']}", spec["names"]["kind"])] = schema
    return schemas


def validate(obj: Any, crds: dict[tuple[str, str], Any], version: str) -> list[str]:
    if not isinstance(obj, dict) or "kind" not in obj or "apiVersion" not in obj:
        return ["not a Kubernetes object (no apiVersion/kind)"]
    key = (obj["apiVersion"], obj["kind"])
    if key in crds:
        validator = jsonschema.Draft7Validator(crds[key])
        return sorted(f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                      for e in validator.iter_errors(obj))
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{'/'.join(map(str, exc.path)) or '<root>'}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError:
        return [f"no schema for {key[0]} {key[1]} (neither a Kubernetes {version} kind nor a known CRD)"]
    except kubernetes_validate.InvalidSchemaError as exc:
        return [f"invalid schema: {exc}"]
    if not isinstance(obj.get("metadata"), dict) or not obj["metadata"].get("name"):
        return ["metadata.name is missing"]
    return []


def main() -> None:
    crds = crd_schemas(Path(sys.argv[1]))
    version = sys.argv[2]
    objects = json.load(sys.stdin)
    out = []
    for obj in objects:
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        label = f"{obj.get('kind') if isinstance(obj, dict) else '?'}/{(meta or {}).get('name', '?')}"
        out.append({"object": label, "errors": validate(obj, crds, version)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
