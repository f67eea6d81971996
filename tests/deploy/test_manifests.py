"""deploy/k8s rendered with kustomize, validated against the real schemas, checked against policy."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import K8S, OVERLAYS, build

Obj = dict[str, Any]
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}
POD_KINDS = {"Deployment", "Job", "StatefulSet", "DaemonSet", "CronJob", "Pod", "ReplicaSet"}


def pod_spec(obj: Obj) -> Obj | None:
    if obj["kind"] not in POD_KINDS:
        return None
    if obj["kind"] == "Pod":
        return obj["spec"]  # type: ignore[no-any-return]
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return obj["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def policy_violations(obj: Obj) -> list[str]:
    """Pod Security Standard "restricted", probes, resources, pinned images, no committed secrets."""
    what = f"{obj['kind']}/{obj['metadata']['name']}"
    out: list[str] = []
    if obj["kind"] == "Secret" and (obj.get("data") or obj.get("stringData")):
        out.append(f"{what}: a Secret with data is committed")
    spec = pod_spec(obj)
    if spec is None:
        return out
    pod_sc = spec.get("securityContext") or {}
    if spec.get("automountServiceAccountToken") is not False:
        out.append(f"{what}: automountServiceAccountToken is not false")
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            out.append(f"{what}: {field}")
    for volume in spec.get("volumes", []):  # the volume types the restricted standard allows
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            out.append(f"{what}: volume {volume['name']} of type {sorted(kinds)} is not allowed")
    containers = [*spec.get("initContainers", []), *spec.get("containers", [])]
    if not spec.get("containers"):
        out.append(f"{what}: no containers")
    for c in containers:
        where = f"{what} container {c.get('name')}"
        sc = c.get("securityContext") or {}
        if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
            out.append(f"{where}: runAsNonRoot is not set")
        if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
            out.append(f"{where}: runs as uid 0")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"{where}: allowPrivilegeEscalation is not false")
        if sc.get("privileged"):
            out.append(f"{where}: privileged")
        if "ALL" not in (sc.get("capabilities") or {}).get("drop", []) or (sc.get("capabilities") or {}).get("add"):
            out.append(f"{where}: capabilities are not drop [ALL]")
        seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            out.append(f"{where}: seccompProfile is not RuntimeDefault")
        if sc.get("readOnlyRootFilesystem") is not True:
            out.append(f"{where}: root filesystem is writable")
        image = c.get("image", "")
        tag = image.rsplit("/", 1)[-1].partition(":")[2] if "@" not in image else "digest"
        if not tag or tag == "latest":
            out.append(f"{where}: image {image!r} is not pinned to a version")
        resources = c.get("resources") or {}
        for kind in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in (resources.get(kind) or {}):
                    out.append(f"{where}: no {resource} {kind}")
        is_init = c in spec.get("initContainers", [])
        if any(p.get("hostPort") for p in c.get("ports", [])):
            out.append(f"{where}: hostPort")
        if c.get("ports") and not is_init:
            for probe in ("livenessProbe", "readinessProbe"):
                if probe not in c:
                    out.append(f"{where}: serves {c['ports'][0].get('containerPort')} but has no {probe}")
    return out


def pods(objects: list[Obj]) -> list[Obj]:
    return [o for o in objects if pod_spec(o) is not None]


# --- rendering and schema validation -------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders(rendered: dict[str, list[Obj]], overlay: str) -> None:
    objects = rendered[overlay]
    kinds = {o["kind"] for o in objects}
    assert {"Deployment", "Service", "Job", "ServiceAccount", "ConfigMap", "PodDisruptionBudget"} <= kinds
    names = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert len(names) == len(set(names)), "two objects share a kind and name"
    assert all(o["metadata"].get("namespace") == "improvenet" for o in objects if o["kind"] != "Namespace")
    if overlay != "base":
        assert {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Cluster", "Database", "Pooler",
                "NetworkPolicy"} <= kinds


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_matches_its_schema(rendered: dict[str, list[Obj]], validated: dict[str, Any],
                                         overlay: str) -> None:
    results = validated[overlay]
    failures = [f"{r['object']}: {e}" for r in results for e in r["errors"]]
    assert not failures, "\n".join(failures)
    crd_kinds = {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Cluster", "Database", "Pooler",
                 "ScheduledBackup"}
    if overlay != "base":
        assert crd_kinds & {o["kind"] for o in rendered[overlay]}, "no custom resource was validated"


def test_a_broken_manifest_is_rejected(rendered: dict[str, list[Obj]], validator: Any) -> None:
    """Each deliberately broken object fails validation; its unbroken original passes."""
    prod = rendered["overlays/prod"]

    def first(kind: str) -> Obj:
        return copy.deepcopy(next(o for o in prod if o["kind"] == kind))

    broken: list[Obj] = []
    d = first("Deployment")
    d["spec"]["replicas"] = "three"
    broken.append(d)
    d = first("Deployment")
    d["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}  # misspelt field
    broken.append(d)
    d = first("Service")
    del d["spec"]["ports"][0]["port"]
    broken.append(d)
    topic = first("KafkaTopic")
    topic["spec"]["partitions"] = "six"
    broken.append(topic)
    user = first("KafkaUser")
    user["spec"]["authorization"]["acls"][0]["operations"] = ["Writ"]
    broken.append(user)
    cluster = first("Cluster")
    cluster["spec"]["instance"] = 3  # misspelt
    broken.append(cluster)
    database = first("Database")
    del database["spec"]["owner"]
    broken.append(database)
    broken.append({"apiVersion": "example.com/v1", "kind": "Unknown", "metadata": {"name": "x"}})
    results = validator(broken)
    assert [r["object"] for r in results if not r["errors"]] == []
    originals = [first(k) for k in ("Deployment", "Service", "KafkaTopic", "KafkaUser", "Cluster", "Database")]
    assert all(not r["errors"] for r in validator(originals))


# --- policy ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_restricted_probed_and_sized(rendered: dict[str, list[Obj]], overlay: str) -> None:
    objects = rendered[overlay]
    violations = [v for o in objects for v in policy_violations(o)]
    assert not violations, "\n".join(violations)
    assert len(pods(objects)) >= 15  # 5 components x (api, worker, migrate)


def test_the_policy_check_catches_each_violation(rendered: dict[str, list[Obj]]) -> None:
    api = next(o for o in rendered["overlays/prod"] if o["metadata"]["name"] == "improvenet-hr-api"
               and o["kind"] == "Deployment")
    assert policy_violations(api) == []

    def broken(change: Any) -> list[str]:
        obj = copy.deepcopy(api)
        change(pod_spec(obj), pod_spec(obj)["containers"][0])  # type: ignore[index]
        return policy_violations(obj)

    assert broken(lambda p, c: c["securityContext"].pop("runAsNonRoot") and p["securityContext"].pop("runAsNonRoot"))
    assert broken(lambda p, c: c["securityContext"].update(allowPrivilegeEscalation=True))
    assert broken(lambda p, c: c["securityContext"].update(capabilities={"drop": ["NET_RAW"]}))
    assert broken(lambda p, c: c["securityContext"].update(capabilities={"drop": ["ALL"], "add": ["NET_ADMIN"]}))
    assert broken(lambda p, c: (c["securityContext"].pop("seccompProfile"), p["securityContext"].pop("seccompProfile")))
    assert broken(lambda p, c: c["securityContext"].update(readOnlyRootFilesystem=False))
    assert broken(lambda p, c: c.pop("readinessProbe"))
    assert broken(lambda p, c: c.pop("livenessProbe"))
    assert broken(lambda p, c: c["resources"].pop("limits"))
    assert broken(lambda p, c: c["resources"]["requests"].pop("memory"))
    assert broken(lambda p, c: c.update(image="ghcr.io/improvenet/improvenet:latest"))
    assert broken(lambda p, c: c.update(image="ghcr.io/improvenet/improvenet"))
    assert broken(lambda p, c: p.update(automountServiceAccountToken=True))
    assert broken(lambda p, c: p.update(hostNetwork=True))
    assert broken(lambda p, c: p["volumes"].append({"name": "host", "hostPath": {"path": "/"}}))
    assert broken(lambda p, c: c["ports"][0].update(hostPort=8101))
    assert policy_violations({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                              "data": {"password": "aHVudGVyMg=="}})


def test_no_secret_is_committed() -> None:
    """Secrets are referenced by name and created on the cluster (docs/deploy.md), never in the tree."""
    for path in K8S.rglob("*.yaml"):
        if path.parent.name == "crds":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            assert not (doc and doc.get("kind") == "Secret"), f"{path} holds a Secret"


def test_api_and_worker_pods_survive_disruption_and_scale(rendered: dict[str, list[Obj]]) -> None:
    prod = rendered["overlays/prod"]
    deployments = {o["metadata"]["name"]: o for o in prod if o["kind"] == "Deployment"}
    pdbs = [o for o in prod if o["kind"] == "PodDisruptionBudget"]
    hpas = {o["spec"]["scaleTargetRef"]["name"]: o for o in prod if o["kind"] == "HorizontalPodAutoscaler"}
    for name, d in deployments.items():
        role = d["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/component")
        if role not in ("api", "worker"):
            continue
        labels = d["spec"]["template"]["metadata"]["labels"]
        assert any(all(labels.get(k) == v for k, v in p["spec"]["selector"]["matchLabels"].items())
                   for p in pdbs), f"{name} has no PodDisruptionBudget"
        assert d["spec"]["replicas"] >= 2, name
        spread = d["spec"]["template"]["spec"].get("topologySpreadConstraints", [])
        assert "topology.kubernetes.io/zone" in {s["topologyKey"] for s in spread}, name
        if role == "api":
            assert name in hpas and hpas[name]["spec"]["minReplicas"] >= 2, name
            assert hpas[name]["spec"]["maxReplicas"] > hpas[name]["spec"]["minReplicas"]
    assert any(o["kind"] == "Ingress" and o["spec"].get("tls") for o in prod)


def test_dev_runs_one_of_each(rendered: dict[str, list[Obj]]) -> None:
    dev = rendered["overlays/dev"]
    assert {o["spec"]["replicas"] for o in dev if o["kind"] == "Deployment"} == {1}
    assert not [o for o in dev if o["kind"] == "HorizontalPodAutoscaler"]
    assert next(o for o in dev if o["kind"] == "Cluster")["spec"]["instances"] == 1
    assert {o["spec"]["replicas"] for o in dev if o["kind"] == "KafkaTopic"} == {1}


def test_a_broken_kustomization_fails_the_build(kustomize: Path, tmp_path: Path) -> None:
    shutil.copytree(K8S / "base", tmp_path / "base")
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - base\n  - missing.yaml\n")
    with pytest.raises(AssertionError, match=r"missing\.yaml"):
        build(kustomize, tmp_path)
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - base\n")
    assert build(kustomize, tmp_path)
