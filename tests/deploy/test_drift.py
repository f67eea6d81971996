"""The manifests follow the code: components from the registry, topics from libs/contracts, ACLs from
what each worker consumes. Adding a service or a topic changes one place; a stale tree fails here."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from improvenet.registry import COMPONENTS, SERVICES
from libs.common.bus import dead_letter_topic
from libs.contracts import REGISTRY
from tests.deploy.conftest import K8S

Obj = dict[str, Any]


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_k8s_generate", K8S / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_generated_files_are_up_to_date(generator: ModuleType) -> None:
    stale = generator.stale(K8S)
    assert not stale, f"run `.venv/bin/python deploy/k8s/generate.py` and commit: {stale}"


def test_a_hand_edit_of_a_generated_file_is_caught(generator: ModuleType, tmp_path: Path) -> None:
    copy = tmp_path / "k8s"
    shutil.copytree(K8S, copy, ignore=shutil.ignore_patterns("crds"))
    assert generator.stale(copy) == []
    users = copy / "components/kafka/users.yaml"
    users.write_text(users.read_text().replace("- Write", "- All", 1))
    (copy / "base/hr.yaml").unlink()
    assert sorted(generator.stale(copy)) == ["base/hr.yaml", "components/kafka/users.yaml"]


def test_components_match_the_registry(rendered: dict[str, list[Obj]]) -> None:
    prod = rendered["overlays/prod"]
    by_kind: dict[str, dict[str, Obj]] = {}
    for o in prod:
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    app_deployments = {n for n, d in by_kind["Deployment"].items()
                       if d["metadata"]["labels"].get("app.kubernetes.io/component") in ("api", "worker")}
    assert app_deployments == {f"improvenet-{c.name}-{r}" for c in COMPONENTS for r in ("api", "worker")}
    assert set(by_kind["Job"]) == {f"improvenet-{c.name}-migrate" for c in COMPONENTS}
    config = by_kind["ConfigMap"]["improvenet-config"]["data"]
    for c in COMPONENTS:
        service = by_kind["Service"][f"improvenet-{c.name}"]
        assert service["spec"]["ports"][0]["port"] == c.default_port
        api = by_kind["Deployment"][f"improvenet-{c.name}-api"]["spec"]["template"]["spec"]["containers"][0]
        assert api["args"] == ["api", c.name, "--host", "0.0.0.0", "--port", str(c.default_port)]
        assert api["ports"][0]["containerPort"] == c.default_port
        worker = by_kind["Deployment"][f"improvenet-{c.name}-worker"]["spec"]["template"]["spec"]["containers"][0]
        assert worker["args"] == ["worker", c.name]
        job = by_kind["Job"][f"improvenet-{c.name}-migrate"]["spec"]["template"]["spec"]["containers"][0]
        assert job["args"] == ["migrate", c.name]
        urls = {e["name"]: e.get("value") for e in api["env"]}
        assert urls[f"{c.name.upper()}_DATABASE_URL"].endswith(f"/{c.database}")
        assert by_kind["Database"][f"improvenet-{c.name}-db"]["spec"]["name"] == c.database
        assert by_kind["Database"][f"improvenet-{c.name}-db"]["spec"]["owner"] == f"improvenet_{c.name}"
        assert f"improvenet-{c.name}-kafka" in by_kind["KafkaUser"]
    roles = {r["name"]: r for r in by_kind["Cluster"]["improvenet-pg"]["spec"]["managed"]["roles"]}
    assert set(roles) == {f"improvenet_{c.name}" for c in COMPONENTS}
    assert all(roles[f"improvenet_{c.name}"]["passwordSecret"]["name"] == f"improvenet-{c.name}-db"
               for c in COMPONENTS)
    # the services fetch the gateway's keys from every gateway pod, ready or not (the gateway's
    # readiness includes every upstream's: a cycle otherwise)
    host, port = config["JWKS_URL"].removeprefix("http://").split("/")[0].split(":")
    keys = by_kind["Service"][host]
    assert keys["spec"]["publishNotReadyAddresses"] is True
    assert keys["spec"]["selector"] == {"app.kubernetes.io/name": "improvenet-gateway",
                                        "app.kubernetes.io/component": "api"}
    assert int(port) == next(c.default_port for c in COMPONENTS if c.kind == "gateway")
    for s in SERVICES:  # the gateway's upstreams (improvenet/components.py reads <SERVICE>_URL)
        assert config[f"{s.name.upper()}_URL"] == f"http://improvenet-{s.name}:{s.default_port}"


def test_topics_match_the_contracts(rendered: dict[str, list[Obj]]) -> None:
    topics = {t.topic for t in REGISTRY.values()}
    expected = topics | {dead_letter_topic(t) for t in topics}
    kafka_topics = {o["spec"]["topicName"]: o for o in rendered["overlays/prod"] if o["kind"] == "KafkaTopic"}
    assert set(kafka_topics) == expected
    for name, o in kafka_topics.items():
        assert o["spec"]["replicas"] == 3 and o["spec"]["config"]["min.insync.replicas"] == 2, name
        assert o["spec"]["partitions"] >= 1
        assert o["metadata"]["labels"]["strimzi.io/cluster"] == "improvenet-kafka"


def _recorded_consumers(name: str) -> list[Any]:
    """What `python -m improvenet worker <name>` would run, read from the worker module itself."""
    if name != "gateway":
        return list(importlib.import_module(f"services.{name}.handlers").CONSUMERS)
    import gateway.worker

    recorded: list[Any] = []
    original = gateway.worker.main
    gateway.worker.main = lambda settings, consumers, **_: recorded.extend(consumers)  # type: ignore[assignment]
    try:
        gateway.worker.run()
    finally:
        gateway.worker.main = original  # type: ignore[assignment]
    return recorded


def _grants(user: Obj) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for a in user["spec"]["authorization"]["acls"]:
        assert a.get("type", "allow") == "allow" and a["resource"].get("patternType", "literal") == "literal"
        out.setdefault((a["resource"]["type"], a["resource"]["name"]), set()).update(a["operations"])
    return out


def test_acls_match_what_each_component_produces_and_consumes(rendered: dict[str, list[Obj]]) -> None:
    users = {o["metadata"]["name"]: o for o in rendered["overlays/prod"] if o["kind"] == "KafkaUser"}
    assert set(users) == {f"improvenet-{c.name}-kafka" for c in COMPONENTS}
    topics = {t.topic for t in REGISTRY.values()}
    for c in COMPONENTS:
        consumers = _recorded_consumers(c.name)
        grants = _grants(users[f"improvenet-{c.name}-kafka"])
        writes = {n for (kind, n), ops in grants.items() if kind == "topic" and "Write" in ops}
        reads = {n for (kind, n), ops in grants.items() if kind == "topic" and "Read" in ops}
        group_reads = {n for (kind, n), ops in grants.items() if kind == "group" and "Read" in ops}
        subscribed = {t for consumer in consumers for t in consumer.topics}
        own = {t for t in topics if t.split(".")[0] == c.name} | {"platform.audit"}
        assert writes == own | {dead_letter_topic(t) for t in subscribed}, c.name
        assert reads == subscribed, c.name
        assert group_reads == {consumer.group for consumer in consumers}, c.name
        assert not any(ops & {"All", "Create", "Delete", "Alter", "AlterConfigs"} for ops in grants.values()), c.name
        assert grants.get(("topic", "*")) == {"Describe"}, c.name
        # nobody writes another component's topics (dead letters of what it consumes aside)
        for other in COMPONENTS:
            if other.name != c.name:
                theirs = {t for t in writes if t.split(".")[0] == other.name and not t.endswith(".dlq")}
                assert not theirs, (c.name, other.name)
    # the audit topic is read by the gateway alone
    readers = [n for n, u in users.items() if ("topic", "platform.audit") in _grants(u)
               and "Read" in _grants(u)[("topic", "platform.audit")]]
    assert readers == ["improvenet-gateway-kafka"]


def test_network_policies_follow_the_registry(rendered: dict[str, list[Obj]]) -> None:
    policies = {o["metadata"]["name"]: o for o in rendered["overlays/prod"] if o["kind"] == "NetworkPolicy"}
    deny = policies["default-deny"]["spec"]
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert set(deny["podSelector"]["matchExpressions"][0]["values"]) == {f"improvenet-{c.name}" for c in COMPONENTS}
    for c in COMPONENTS:
        ingress = policies[f"improvenet-{c.name}-api-ingress"]["spec"]["ingress"]
        assert [p["port"] for rule in ingress for p in rule["ports"]] == [c.default_port]
        if c.kind == "gateway":
            assert "from" not in ingress[0]  # the edge: reachable from outside
        else:
            assert ingress[0]["from"] == [{"podSelector": {"matchLabels": {
                "app.kubernetes.io/name": "improvenet-gateway", "app.kubernetes.io/component": "api"}}}]
