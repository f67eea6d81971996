"""A real single-node Apache Kafka broker (KRaft) for tests and benchmarks.

Jars come from Maven Central through the machine's Maven into a cache; storage is formatted for one
standalone node; the broker listens on a free loopback port. If it cannot start, callers get an
exception: Kafka tests fail, they never skip.
"""

from __future__ import annotations

import base64
import os
import random
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
POM = ROOT / "deploy" / "local" / "kafka" / "pom.xml"
KAFKA_VERSION = "4.1.1"
CACHE = Path(os.environ.get("IMPROVENET_CACHE", Path.home() / ".cache" / "improvenet")) / f"kafka-{KAFKA_VERSION}"


class BrokerUnavailable(RuntimeError):
    pass


_issued_ports: set[int] = set()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range.

    A port from bind(0) is ephemeral: between closing the probe and the child binding it, any outgoing
    connection (a Kafka client, an HTTP pool) may be given the same port, and the child fails with
    'address in use' (seen in CI). Ports below the range are never handed out for outgoing connections;
    this process never hands out the same one twice.
    """
    low, _ = _ephemeral_range()
    start = 20000 if low > 21000 else 1024
    for _ in range(200):
        port = random.randrange(start, low)
        if port in _issued_ports:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _issued_ports.add(port)
        return port
    with socket.socket() as s:  # a machine with no room below the range: the kernel's choice
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch_jars(cache: Path = CACHE) -> Path:
    libs = cache / "libs"
    marker = cache / ".complete"
    if marker.exists():
        return libs
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise BrokerUnavailable("Kafka tests need Maven and Java 17 on PATH (mvn, java)")
    cache.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies", f"-DoutputDirectory={libs}",
         "-DincludeScope=runtime"], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise BrokerUnavailable(f"could not fetch Kafka {KAFKA_VERSION} with Maven:\n{result.stdout[-3000:]}"
                                f"\n{result.stderr[-3000:]}")
    marker.write_text(KAFKA_VERSION)
    return libs


LOG4J2 = """status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka.server.KafkaRaftServer
logger.kafka.level = info
"""


class KafkaBroker:
    def __init__(self, workdir: Path, *, port: int | None = None,
                 scram_user: tuple[str, str] | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.controller_port = free_port()
        # With a SCRAM user the broker also listens with SASL_PLAINTEXT + SCRAM-SHA-512 (what Strimzi's
        # `scram-sha-512` listener speaks), on its own port; the plain listener stays for readiness checks.
        self.scram_user = scram_user
        self.scram_port = free_port() if scram_user else None
        self.process: subprocess.Popen[bytes] | None = None
        self.libs: Path | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def scram_bootstrap_servers(self) -> str:
        assert self.scram_port is not None, "this broker was started without a SCRAM user"
        return f"127.0.0.1:{self.scram_port}"

    def _listeners(self) -> list[str]:
        listeners = [f"PLAINTEXT://127.0.0.1:{self.port}"]
        protocols = ["CONTROLLER:PLAINTEXT", "PLAINTEXT:PLAINTEXT"]
        extra: list[str] = []
        if self.scram_port is not None:
            listeners.append(f"SCRAM://127.0.0.1:{self.scram_port}")
            protocols.append("SCRAM:SASL_PLAINTEXT")
            extra = ["sasl.enabled.mechanisms=SCRAM-SHA-512", "inter.broker.listener.name=PLAINTEXT",
                     "listener.name.scram.scram-sha-512.sasl.jaas.config="
                     "org.apache.kafka.common.security.scram.ScramLoginModule required;"]
        return [f"listeners={','.join(listeners)},CONTROLLER://127.0.0.1:{self.controller_port}",
                f"advertised.listeners={','.join(listeners)}",
                f"listener.security.protocol.map={','.join(protocols)}", *extra]

    def _configure(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        props = self.workdir / "server.properties"
        props.write_text("\n".join([
            "process.roles=broker,controller", "node.id=1",
            f"controller.quorum.bootstrap.servers=127.0.0.1:{self.controller_port}",
            *self._listeners(),
            "controller.listener.names=CONTROLLER",
            f"log.dirs={self.workdir / 'data'}", "num.partitions=3",
            "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=3",
            "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=true",
        ]) + "\n")
        (self.workdir / "log4j2.properties").write_text(LOG4J2)
        return props

    def _java(self, *args: str) -> list[str]:
        assert self.libs is not None
        return ["java", "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
                f"-Dlog4j2.configurationFile={self.workdir / 'log4j2.properties'}",
                "-cp", f"{self.libs}/*", *args]

    def start(self, timeout: float = 90.0) -> None:
        self.libs = self.libs or fetch_jars()
        props = self._configure()
        if not (self.workdir / "data" / "meta.properties").exists():
            cluster_id = "-"
            while cluster_id.startswith("-"):  # the storage tool would read a leading "-" as an option
                cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            scram = (["--add-scram", f"SCRAM-SHA-512=[name={self.scram_user[0]},password={self.scram_user[1]}]"]
                     if self.scram_user else [])
            fmt = subprocess.run(self._java("kafka.tools.StorageTool", "format", "--standalone", "-t", cluster_id,
                                            "-c", str(props), *scram), capture_output=True, text=True, timeout=120)
            if fmt.returncode != 0:
                raise BrokerUnavailable(f"kafka storage format failed: {fmt.stdout}\n{fmt.stderr}")
        log = (self.workdir / "kafka.log").open("ab")
        self.process = subprocess.Popen(self._java("kafka.Kafka", str(props)), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        from kafka.admin import KafkaAdminClient

        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise BrokerUnavailable(f"kafka exited with {self.process.returncode}; see {self.workdir}/kafka.log")
            try:
                admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, request_timeout_ms=3000)
                admin.list_topics()
                admin.close()
                return
            except Exception as exc:
                last = exc
                time.sleep(0.3)
        raise BrokerUnavailable(f"kafka not ready after {timeout}s: {last!r}; see {self.workdir}/kafka.log")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
