"""deploy/k8s: valid Kubernetes objects, restricted pods with limits, probes on /healthz,
Services on the services' ports, and every Secret named where operations.md says to make it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from shared.serve import PORTS
from tests.deploy.deployfiles import DEPLOY, REPO, is_nettungen_image, k8s_documents
from tests.deploy.tools import require

K8S = DEPLOY / "k8s"
DOCUMENTS = k8s_documents()
# The kinds that run pods of our image.
WORKLOADS = {"Deployment", "Job", "CronJob"}
# The oldest Kubernetes still supported upstream when this was written; the schemas of newer
# ones only add fields.
KUBERNETES_VERSION = "1.31.0"
# Custom resources of the operators the manifests rely on (no schema here to check them by).
OPERATOR_KINDS = {
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "Database"),
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
}


def _id(item: tuple[Path, dict[str, Any]]) -> str:
    return f"{item[0].name}/{item[1]['kind']}/{item[1]['metadata']['name']}"


def _pod_template(document: dict[str, Any]) -> dict[str, Any]:
    spec = document["spec"]
    template: dict[str, Any] = (
        spec["jobTemplate"]["spec"]["template"]
        if document["kind"] == "CronJob"
        else spec["template"]
    )
    return template


def _pods() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(id, workload, pod spec) of every Deployment, Job and CronJob."""
    return [
        (_id((path, document)), document, _pod_template(document)["spec"])
        for path, document in DOCUMENTS
        if document["kind"] in WORKLOADS
    ]


@pytest.mark.parametrize("item", DOCUMENTS, ids=[_id(item) for item in DOCUMENTS])
def test_objects_match_the_kubernetes_schema(item: tuple[Path, dict[str, Any]]) -> None:
    _, document = item
    if (document["apiVersion"], document["kind"]) in OPERATOR_KINDS:
        assert document["spec"], "an operator's resource with nothing in it"
        return
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("directory", [K8S, K8S / "migrations"], ids=["k8s", "migrations"])
def test_kustomizations_take_every_file(directory: Path) -> None:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text("utf-8"))
    files = {p.name for p in directory.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    assert kustomization["namespace"] == "nettungen"
    [image] = kustomization["images"]
    assert image["name"] == "nettungen"


def _tag(directory: Path) -> str:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text("utf-8"))
    return str(kustomization["images"][0]["newTag"])


def test_both_kustomizations_deploy_one_version() -> None:
    assert _tag(K8S) == _tag(K8S / "migrations")


@pytest.mark.parametrize("item", _pods(), ids=[item[0] for item in _pods()])
def test_pods_are_restricted_and_limited(item: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, _, pod = item
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in pod["containers"]:
        assert is_nettungen_image(container["image"])
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"] == {"drop": ["ALL"]}
        limits = container["resources"]["limits"]
        assert {"cpu", "memory"} <= set(limits) and {"cpu", "memory"} <= set(
            container["resources"]["requests"]
        )
        # With a read-only root, whatever a process writes goes to a mounted volume.
        mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        assert env["INSTANCE_PATH"] in mounts
        if "PROMETHEUS_MULTIPROC_DIR" in env:
            assert any(env["PROMETHEUS_MULTIPROC_DIR"].startswith(m + "/") for m in mounts)


def test_web_deployments_are_probed_and_served() -> None:
    services = {d["metadata"]["name"]: d for _, d in DOCUMENTS if d["kind"] == "Service"}
    web = [
        (d, p)
        for _, d, p in _pods()
        if d["kind"] == "Deployment" and "gunicorn" in p["containers"][0]["command"]
    ]
    assert sorted(d["metadata"]["name"] for d, _ in web) == sorted(PORTS)
    for deployment, pod in web:
        name = deployment["metadata"]["name"]
        [container] = pod["containers"]
        [port] = container["ports"]
        assert (port["name"], port["containerPort"]) == ("http", PORTS[name])
        for probe in ("startupProbe", "readinessProbe"):
            assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}, name
        # A database outage makes a pod unready; it must not restart it too.
        assert "httpGet" not in container["livenessProbe"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert services[name]["spec"]["selector"] == selector
        assert services[name]["spec"]["ports"] == [
            {"name": "http", "port": PORTS[name], "targetPort": "http"}
        ]
        assert deployment["spec"]["replicas"] >= 2


def test_workers_run_once() -> None:
    # The relay, the mail sender and the harvesting ingest are one each: never two at a time,
    # not even for a rollout. Search's further consumers of the bus (--no-feeds) scale out.
    scaled = []
    for _, deployment, pod in _pods():
        command = pod["containers"][0]["command"]
        if deployment["kind"] != "Deployment" or "gunicorn" in command:
            continue
        if command == ["nettungen", "search", "ingest", "--no-feeds"]:
            scaled.append(deployment["metadata"]["name"])
            assert deployment["spec"].get("strategy", {}).get("type") != "Recreate"
        else:
            assert deployment["spec"]["replicas"] == 1
            assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert scaled == ["search-consumer"]


def test_every_secret_is_made_in_the_operations_guide() -> None:
    guide = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    made: dict[str, set[str]] = {}
    command = r"kubectl -n nettungen create secret generic (\S+)"
    options = r"((?:\s*\\\n\s*--from-literal=[\w-]+=\S+)+)"
    for name, literals in re.findall(command + options, guide):
        made[name] = set(re.findall(r"--from-literal=([\w-]+)=", literals))
    for _, _, pod in _pods():
        for container in pod["containers"]:
            for variable in container.get("env", []):
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if reference:
                    assert reference["key"] in made.get(reference["name"], set()), reference


def test_kustomize_builds_both(tmp_path: Path) -> None:
    require("kubectl")
    for directory in (K8S, K8S / "migrations"):
        result = subprocess.run(  # noqa: S603 - kustomize, built into kubectl, offline
            ["kubectl", "kustomize", str(directory)],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        built = list(yaml.safe_load_all(result.stdout))
        namespaced = [d for d in built if d["kind"] != "Namespace"]
        assert all(d["metadata"]["namespace"] == "nettungen" for d in namespaced)
        images = {
            container["image"]
            for document in built
            if document["kind"] in WORKLOADS
            for container in _pod_template(document)["spec"]["containers"]
        }
        assert images == {f"nettungen:{_tag(directory)}"}
