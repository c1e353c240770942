"""The cluster manifests validate offline against the Kubernetes schemas (kubernetes-validate ships
them in its wheel) and keep the rules a rolling deploy depends on."""

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/k8s"
KUBERNETES_VERSION = "1.33.0"


def _documents():
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") != "Kustomization":
                yield path.name, doc


DOCS = list(_documents())


def _find(kind, name):
    return next(doc for _, doc in DOCS if doc["kind"] == kind and doc["metadata"]["name"] == name)


def _pod(doc):
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


@pytest.mark.parametrize(("filename", "doc"), DOCS, ids=[f"{f}:{d['kind']}/{d['metadata']['name']}" for f, d in DOCS])
def test_manifest_validates_strictly_against_the_kubernetes_schema(filename, doc):
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest_but_the_secret_example():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert set(kustomization["resources"]) == files


def test_web_probes_use_healthz_and_readyz_and_grace_outlasts_the_drain():
    pod = _pod(_find("Deployment", "cartwheel-web"))
    container = pod["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    config = _find("ConfigMap", "cartwheel-config")["data"]
    assert pod["terminationGracePeriodSeconds"] > int(config["DRAIN_SECONDS"]) + 30  # gunicorn graceful 30 s


def test_web_has_a_pdb_and_an_hpa_that_target_it():
    web = _find("Deployment", "cartwheel-web")
    labels = web["spec"]["template"]["metadata"]["labels"]
    pdb = _find("PodDisruptionBudget", "cartwheel-web")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["spec"]["minAvailable"] < web["spec"]["replicas"]
    hpa = _find("HorizontalPodAutoscaler", "cartwheel-web")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "cartwheel-web"
    assert hpa["spec"]["minReplicas"] > pdb["spec"]["minAvailable"]
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_beat_runs_exactly_one_replica_and_is_never_surged():
    beat = _find("Deployment", "cartwheel-beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    assert not any(doc["kind"] == "HorizontalPodAutoscaler" and doc["spec"]["scaleTargetRef"]["name"] == "cartwheel-beat"
                   for _, doc in DOCS)


def test_migrate_job_and_backups_bypass_the_pooler_and_web_never_migrates():
    for kind, name in (("Job", "cartwheel-migrate"), ("CronJob", "cartwheel-backup"), ("CronJob", "cartwheel-restore-drill")):
        env = {e["name"]: e for e in _pod(_find(kind, name))["containers"][0]["env"]}
        assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "DATABASE_DIRECT_URL", name
    assert _pod(_find("Job", "cartwheel-migrate"))["containers"][0]["args"] == ["migrate"]
    assert _pod(_find("Deployment", "cartwheel-web"))["containers"][0]["args"] == ["web"]
    assert _find("CronJob", "cartwheel-backup")["spec"]["concurrencyPolicy"] == "Forbid"


def test_every_container_has_resource_limits_and_reads_the_shared_config():
    secret_keys = set(yaml.safe_load((K8S / "secret.example.yaml").read_text())["stringData"])
    for _, doc in DOCS:
        if doc["kind"] not in ("Deployment", "Job", "CronJob"):
            continue
        for container in _pod(doc)["containers"]:
            assert container["resources"]["limits"]["memory"], doc["metadata"]["name"]
            for ref in container.get("envFrom", []):
                name = (ref.get("configMapRef") or ref.get("secretRef"))["name"]
                assert name in ("cartwheel-config", "cartwheel-secrets")
            for var in container.get("env", []):
                key_ref = var.get("valueFrom", {}).get("secretKeyRef")
                if key_ref:
                    assert key_ref["key"] in secret_keys


def test_the_validator_rejects_a_misspelt_field():
    """Guards the guard: a typo the API server would reject fails here too, offline."""
    web = yaml.safe_load((K8S / "web.yaml").read_text().split("---")[0])
    web["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = web["spec"]["template"]["spec"][
        "containers"][0].pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)
