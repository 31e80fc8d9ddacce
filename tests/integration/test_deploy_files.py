"""The deployment files agree with the code (Docker cannot run here, so this is their check).

docker-compose.yml, deploy/Dockerfile and deploy/k8s are parsed and compared with what the code
declares: every process has a container, every command's module exists, every environment
variable is one the settings read, secrets come only from the environment or a Secret, and the
NATS configs are valid for the nats-server version the tests run (`nats-server -t`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import AliasChoices

from services import SERVICES
from services.gateway.settings import GatewaySettings
from shared.natsauth import OUTPUTS, grants, password_variable, render
from shared.natsserver import find_binary

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = ROOT / "docker-compose.yml"
PROCESSES = (*SERVICES, "gateway")
IMAGE = "esafety-platform"
# Values given to the variables compose requires (`${VAR:?...}`) when resolving its environment.
NATS_PASSWORDS = {password_variable(p): f"nats-pw-{p}" for p in PROCESSES}
COMPOSE_ENV = {"POSTGRES_PASSWORD": "pw", "ESAFETY_JWT_SECRET": "s" * 32, **NATS_PASSWORDS}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL")
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
# `password: x` / `SECRET=x` with a literal value (not empty, not `${...}` nor `$(...)`).
LITERAL_SECRET = re.compile(r"(?i)(password|secret)[ \t]*[:=][ \t]*['\"]?[^\s'\"$]")
# `scheme://user:password@` unless the password is `${...}` (or README's `PASSWORD` placeholder).
URL_PASSWORD = re.compile(r"://[^/\s:@]+:(?!\$\{|PASSWORD@)[^@\s/]+@")


# --- loading ---------------------------------------------------------------------------------

@cache
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def compose_services() -> dict[str, Any]:
    services: dict[str, Any] = compose()["services"]
    return services


def app_services() -> dict[str, Any]:
    """The compose services that run the platform's own image."""
    return {name: svc for name, svc in compose_services().items()
            if str(svc.get("image", "")).startswith(IMAGE) or "build" in svc}


@cache
def kustomization() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return data


@cache
def k8s_objects() -> tuple[dict[str, Any], ...]:
    docs: list[dict[str, Any]] = []
    for path in sorted([*K8S.rglob("*.yaml"), *K8S.rglob("*.yml")]):
        if path.name == "kustomization.yaml":
            continue
        docs.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return tuple(docs)


def k8s(kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in k8s_objects() if o["kind"] == kind}


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workload["spec"]["template"]["spec"]["containers"]
    return found


def app_containers() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(deployment name, pod spec, container) for every container of the platform's image."""
    for name, deployment in k8s("Deployment").items():
        for container in containers(deployment):
            if str(container["image"]).startswith(IMAGE):
                yield name, deployment["spec"]["template"]["spec"], container


# --- what the code declares ------------------------------------------------------------------

def known_env_names() -> set[str]:
    """Every variable the settings read: `ESAFETY_<FIELD>`, aliases, `<SERVICE>_DATABASE_URL`."""
    prefix = GatewaySettings.model_config.get("env_prefix", "")
    names = {f"{s.upper()}_DATABASE_URL" for s in PROCESSES}
    for field_name, field in GatewaySettings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(c for c in alias.choices if isinstance(c, str))
        else:
            names.add(f"{prefix}{field_name}".upper())
    return names


def runnable(module: str) -> bool:
    """`python -m module` works: the module exists, or the package has a `__main__`."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        return False
    if spec.submodule_search_locations is not None:
        return importlib.util.find_spec(f"{module}.__main__") is not None
    return True


def module_of(command: list[str]) -> str:
    assert command[:2] == ["python", "-m"], f"expected `python -m <module>`, got {command}"
    return command[2]


# --- compose helpers -------------------------------------------------------------------------

def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- NAME=value` form
        return dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}`, with `env` as the shell."""
    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        if op in (":-", "-"):
            return str(arg)
        raise AssertionError(f"compose would stop: {name} is not set ({arg})")
    return INTERPOLATION.sub(one, value)


def url_password(url: str) -> str:
    """The password of `scheme://user:password@host/...`; not urlsplit, which would stop at
    the `?` of `${VAR:?message}`."""
    credentials = url.split("://", 1)[1].rsplit("@", 1)[0]
    return credentials.split(":", 1)[1] if ":" in credentials else ""


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (cond or {}).get("condition", "service_started") for name, cond in deps.items()}


def bind_mounts(service: dict[str, Any]) -> dict[str, Path]:
    """Container path -> host path of every bind mount (`./host:/container[:ro]`)."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = str(volume).split(":")[:2]
        if source.startswith((".", "/")):
            mounts[target] = (ROOT / source).resolve()
    return mounts


def nats_server_check(config: Path, **env: str) -> None:
    """`nats-server -t` rejects unknown fields and bad values, not only syntax."""
    result = subprocess.run([str(find_binary()), "-c", str(config), "-t"], capture_output=True,
                            text=True, timeout=30, env=env, check=False)
    assert result.returncode == 0, result.stderr or result.stdout


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> GatewaySettings:
    """The settings a process would read with exactly `env` (GatewaySettings: the superset)."""
    known = known_env_names()
    for name in list(os.environ):
        if name in known or name.startswith("ESAFETY_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return GatewaySettings()


# --- the image -------------------------------------------------------------------------------

def dockerfile() -> Path:
    paths: set[Path] = {
        (ROOT / s["build"].get("context", ".") / s["build"]["dockerfile"]).resolve()
        for s in app_services().values()}
    assert len(paths) == 1, f"one image for every process, got {paths}"
    return paths.pop()


def test_dockerfile_builds_one_runtime_image() -> None:
    path = dockerfile()
    assert path.is_file()
    text = path.read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", text, re.M)
    assert "[dev]" not in text, "no dev extras in the image"
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0"), "runs as a non-root user"
    for source in re.findall(r"^COPY\s+(?!--from)(\S+)\s", text, re.M):
        assert (ROOT / source).exists(), f"COPY {source}: not in the build context"
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".venv", ".data", ".git", "node_modules", ".env"):
        assert entry in ignored, f".dockerignore misses {entry}"


def test_the_image_carries_the_built_web_ui_where_the_gateway_looks() -> None:
    text = dockerfile().read_text()
    # A stage builds the UI from its lockfile; the runtime stage copies the output and names it.
    assert re.search(r"^RUN npm ci\b", text, re.M) and re.search(r"^RUN npm run build$", text,
                                                                   re.M)
    copied = re.search(r"^COPY --from=web /web/dist (\S+)$", text, re.M)
    assert copied, "the runtime stage copies the built UI"
    assert re.search(rf"ESAFETY_WEB_DIR={re.escape(copied.group(1))}\b", text)
    scripts = json.loads((ROOT / "services/gateway/web/package.json").read_text())["scripts"]
    assert "vite build" in scripts["build"]


# --- compose ---------------------------------------------------------------------------------

@pytest.mark.parametrize("process", PROCESSES)
def test_compose_runs_every_process(process: str) -> None:
    service = app_services().get(process)
    assert service is not None, f"docker-compose.yml has no service {process!r}"
    module = module_of(service["command"])
    assert module == f"services.{process}"
    assert runnable(module)


def test_compose_env_names_are_read_by_the_code() -> None:
    known = known_env_names()
    for name, service in app_services().items():
        unknown = set(environment(service)) - known
        assert not unknown, f"{name}: no setting reads {sorted(unknown)}"


@pytest.mark.parametrize("process", PROCESSES)
def test_compose_env_gives_valid_settings(process: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: interpolate(v, COMPOSE_ENV) for k, v in environment(app_services()[process]).items()}
    settings = settings_from(env, monkeypatch)
    assert urlsplit(settings.nats_url).hostname in compose_services()
    # Its own NATS user, with the password the NATS container gives that user.
    nats_url = urlsplit(settings.nats_url)
    assert (nats_url.username, nats_url.password) == (process, NATS_PASSWORDS[
        password_variable(process)])
    assert settings.otel_exporter == "otlp"
    endpoint = urlsplit(settings.otel_endpoint)
    assert endpoint.hostname in compose_services()
    collector = yaml.safe_load(collector_config().read_text())
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(
        f":{endpoint.port}")
    if process == "gateway":
        assert settings.gateway_host == "0.0.0.0"  # reachable through the published port
        assert settings.jwt_secret == COMPOSE_ENV["ESAFETY_JWT_SECRET"]
        assert "DATABASE_URL" not in env, "the gateway owns no database"
        published = [str(p).rsplit(":", 1) for p in app_services()[process].get("ports", [])]
        assert str(settings.gateway_port) in [p[-1] for p in published]
    else:
        url = urlsplit(settings.database_url_for(process))
        assert url.scheme == "postgresql+asyncpg"
        assert url.hostname in compose_services()
        assert url.path == f"/esafety_{process}"
        assert url.username == environment(compose_services()["postgres"])["POSTGRES_USER"]


def test_compose_dependencies_exist_and_can_be_healthy() -> None:
    services = compose_services()
    for name, service in services.items():
        for target, condition in depends_on(service).items():
            assert target in services, f"{name} depends on a missing service {target!r}"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no healthcheck"
    for name in app_services():
        if name != "gateway":
            deps = depends_on(services[name])
            assert deps.get("nats") == deps.get("postgres") == "service_healthy", name


def test_compose_mounts_and_volumes_exist() -> None:
    declared = set(compose().get("volumes") or {})
    for name, service in compose_services().items():
        for target, source in bind_mounts(service).items():
            assert source.exists(), f"{name}: {source} (mounted at {target}) does not exist"
        for volume in service.get("volumes", []):
            named = str(volume).split(":")[0]
            if not named.startswith((".", "/")):
                assert named in declared, f"{name}: volume {named!r} is not declared"


def test_compose_nats_has_durable_jetstream() -> None:
    nats = compose_services()["nats"]
    command = nats["command"]
    config = bind_mounts(nats)[command[command.index("--config") + 1]]
    text = config.read_text()
    assert re.search(r"^jetstream\s*\{", text, re.M)
    assert re.search(r"^\s*sync_interval:\s*always\s*$", text, re.M)
    store = re.search(r"^\s*store_dir:\s*(\S+)", text, re.M)
    assert store is not None
    volume_targets = [str(v).split(":")[1] for v in nats["volumes"]
                      if not str(v).startswith((".", "/"))]
    assert any(store[1].startswith(t) for t in volume_targets), "JetStream store on a volume"
    monitor = re.search(r"^http(?:_port)?:\s*(?:[\d.]+:)?(\d+)", text, re.M)
    assert monitor is not None
    assert f":{monitor[1]}/healthz" in " ".join(nats["healthcheck"]["test"])
    # The included users' passwords come from the container's environment.
    env = {k: interpolate(v, COMPOSE_ENV) for k, v in environment(nats).items()}
    assert set(env) == {password_variable(g.user) for g in grants()}
    nats_server_check(config, **env)


def test_compose_postgres_creates_every_service_database() -> None:
    postgres = compose_services()["postgres"]
    assert "pg_isready" in postgres["healthcheck"]["test"]
    init = next(p for t, p in bind_mounts(postgres).items()
                if t.startswith("/docker-entrypoint-initdb.d/"))
    created = set(re.findall(r"(?i)^CREATE DATABASE (\w+);", init.read_text(), re.M))
    missing = {f"esafety_{s}" for s in SERVICES} - created
    assert not missing, f"{init.name} does not create {sorted(missing)}"


def collector_config() -> Path:
    collector = compose_services()["otel-collector"]
    path = next(a.split("=", 1)[1] for a in collector["command"] if a.startswith("--config="))
    return bind_mounts(collector)[path]


def test_compose_collector_pipeline_is_complete() -> None:
    config = yaml.safe_load(collector_config().read_text())
    for pipeline in config["service"]["pipelines"].values():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                assert component in config[section], f"{component} is not defined"
    for exporter in config["exporters"].values():
        host = str(exporter.get("endpoint", "")).split(":")[0]
        assert host in compose_services(), f"collector exports to a missing service {host!r}"


def test_compose_has_no_literal_secrets() -> None:
    for name, service in compose_services().items():
        for var, value in environment(service).items():
            if not SECRET_NAME.search(var):
                continue
            secret = url_password(value) if "://" in value else value
            assert secret and INTERPOLATION.fullmatch(secret), \
                f"{name}.{var}: a secret must be a ${{...}} variable, got {secret!r}"
            for match in INTERPOLATION.finditer(value):
                # A default (`:-`) would commit a secret; `:?` makes it required.
                assert match["op"] == ":?", f"{name}.{var}: {match[0]} must be required (:?)"


# --- kubernetes ------------------------------------------------------------------------------

def test_kustomization_lists_every_manifest() -> None:
    listed = {(K8S / r).resolve() for r in kustomization()["resources"]}
    for path in listed:
        assert path.is_file(), f"kustomization resource {path.name} does not exist"
    on_disk = {p.resolve() for p in [*K8S.rglob("*.yaml"), *K8S.rglob("*.yml")]
               if p.name != "kustomization.yaml"}
    assert on_disk == listed, f"not in kustomization.yaml: {sorted(on_disk - listed)}"
    assert {i["name"] for i in kustomization().get("images", [])} == {IMAGE}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_base() -> None:
    result = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]
    generated = len(kustomization().get("configMapGenerator", []))
    assert len(rendered) == len(k8s_objects()) + generated
    # Generated ConfigMaps get a hash suffix; the volumes must name the rendered ones.
    config_maps = {d["metadata"]["name"] for d in rendered if d["kind"] == "ConfigMap"}
    for d in rendered:
        if d["kind"] in ("StatefulSet", "Deployment"):
            for volume in d["spec"]["template"]["spec"].get("volumes", []):
                for source in volume.get("projected", {}).get("sources", []):
                    assert source["configMap"]["name"] in config_maps
    images = {c["image"] for d in rendered if d["kind"] == "Deployment" for c in containers(d)}
    assert all(":" in image for image in images), f"untagged images: {images}"


@pytest.mark.parametrize("process", PROCESSES)
def test_k8s_deploys_every_process(process: str) -> None:
    deployment = k8s("Deployment").get(process)
    assert deployment is not None, f"deploy/k8s has no Deployment {process!r}"
    selector = deployment["spec"]["selector"]["matchLabels"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= labels.items()
    (container,) = [c for c in containers(deployment) if str(c["image"]).startswith(IMAGE)]
    assert module_of(container["command"]) == f"services.{process}"
    assert runnable(f"services.{process}")
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= container["resources"][kind].keys(), f"{process}: {kind}"
    assert {"livenessProbe", "readinessProbe"} <= container.keys()
    env = {e["name"]: e for e in container.get("env", [])}
    if process != "gateway":
        assert "secretKeyRef" in env["DATABASE_URL"]["valueFrom"], "DATABASE_URL from a Secret"


def test_k8s_env_names_are_read_by_the_code() -> None:
    known = known_env_names()
    config_maps = k8s("ConfigMap")
    for name, pod, container in app_containers():
        assert pod.get("enableServiceLinks") is False, \
            f"{name}: service links inject variables that could shadow settings"
        names = {e["name"] for e in container.get("env", [])}
        for source in container.get("envFrom", []):
            ref = source["configMapRef"]["name"]
            assert ref in config_maps, f"{name}: ConfigMap {ref!r} does not exist"
            names |= set(config_maps[ref]["data"])
        unknown = names - known
        assert not unknown, f"{name}: no setting reads {sorted(unknown)}"


def test_k8s_has_no_literal_secrets() -> None:
    assert not k8s("Secret"), "Secrets are created out of band, never committed"
    for name, _, container in app_containers():
        for env in container.get("env", []):
            if SECRET_NAME.search(env["name"]):
                assert "secretKeyRef" in env.get("valueFrom", {}), f"{name}: {env['name']}"
    for name, config_map in k8s("ConfigMap").items():
        secret_like = [k for k in config_map.get("data", {}) if SECRET_NAME.search(k)]
        assert not secret_like, f"ConfigMap {name} holds {secret_like}"


def test_no_literal_secret_in_any_deploy_file() -> None:
    files = [COMPOSE, ROOT / ".dockerignore",
             *(p for p in DEPLOY.rglob("*") if p.is_file())]
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            line = INTERPOLATION.sub("${}", line)  # `${VAR:?set PASSWORD}` is not a value
            if LITERAL_SECRET.search(line) or URL_PASSWORD.search(line):
                pytest.fail(f"{path.relative_to(ROOT)}:{number}: literal secret? {line.strip()}")


def probe_modules() -> set[str]:
    modules = set()
    for _, _, container in app_containers():
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            command = container.get(probe, {}).get("exec", {}).get("command")
            if command:
                modules.add(module_of(command))
    return modules


def test_k8s_probe_modules_exist() -> None:
    missing = {m for m in probe_modules() if not runnable(m)}
    assert not missing, f"probes run missing modules {sorted(missing)}"


@pytest.mark.parametrize("process", SERVICES)
def test_service_probes_check_readiness_and_liveness(process: str) -> None:
    """Readiness (and startup) ask for NATS and the database; liveness only that the process
    beats; compose's health check is the readiness one."""
    (container,) = [c for c in containers(k8s("Deployment")[process])
                    if str(c["image"]).startswith(IMAGE)]
    check = ["python", "-m", "shared.healthcheck", process]
    assert container["readinessProbe"]["exec"]["command"] == check
    assert container["startupProbe"]["exec"]["command"] == check
    assert container["livenessProbe"]["exec"]["command"] == [*check, "--live"]
    health = app_services()[process]["healthcheck"]["test"]
    assert health[0] == "CMD" and health[1:4] == ["python", "-m", "shared.healthcheck"]
    assert health[4:] in ([], [process])


def test_k8s_http_probes_hit_a_container_port() -> None:
    for name, _, container in app_containers():
        ports = {p.get("name") for p in container.get("ports", [])} | {
            p["containerPort"] for p in container.get("ports", [])}
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            http = container.get(probe, {}).get("httpGet")
            if http:
                assert http["port"] in ports, f"{name}.{probe}: no port {http['port']!r}"
                assert http["path"] == "/healthz"


def test_k8s_autoscalers_and_gateway_service() -> None:
    deployments = k8s("Deployment")
    scaled = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in k8s("HorizontalPodAutoscaler")
              .values()}
    assert {"gateway", "directory"} <= scaled
    for name in scaled:
        assert name in deployments, f"HPA targets a missing Deployment {name!r}"
        # A fixed count would be reset on every apply, fighting the autoscaler.
        assert "replicas" not in deployments[name]["spec"], f"{name}: the HPA owns replicas"
    service = k8s("Service")["gateway"]
    pod = deployments["gateway"]["spec"]["template"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    port_names = {p["name"] for c in pod["spec"]["containers"] for p in c.get("ports", [])}
    for port in service["spec"]["ports"]:
        assert port["targetPort"] in port_names


def test_k8s_nats_url_names_the_client_service() -> None:
    for name, config_map in k8s("ConfigMap").items():
        url = config_map.get("data", {}).get("NATS_URL")
        if url:
            parsed = urlsplit(url)
            service = k8s("Service").get(str(parsed.hostname))
            assert service is not None, f"{name}: NATS_URL names no Service"
            assert parsed.port in {p["port"] for p in service["spec"]["ports"]}


def test_k8s_nats_is_a_three_node_jetstream_cluster(tmp_path: Path) -> None:
    (sts,) = [o for o in k8s("StatefulSet").values()
              if any(c["name"] == "nats" for c in containers(o))]
    spec = sts["spec"]
    assert spec["replicas"] == 3
    headless = k8s("Service")[spec["serviceName"]]
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"].get("publishNotReadyAddresses") is True, "peers resolve before ready"
    pod = spec["template"]["spec"]
    (container,) = [c for c in pod["containers"] if c["name"] == "nats"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    config_path = Path(container["command"][container["command"].index("--config") + 1])
    (volume,) = [v for v in pod["volumes"] if mounts.get(v["name"]) == str(config_path.parent)]
    files = k8s_config_files([s["configMap"]["name"] for s in volume["projected"]["sources"]])
    text = files[config_path.name]

    assert re.search(r"^jetstream\s*\{", text, re.M)
    store = re.search(r"^\s*store_dir:\s*(\S+)", text, re.M)
    claims = {c["metadata"]["name"] for c in spec["volumeClaimTemplates"]}
    assert store and any(store[1].startswith(mounts[c]) for c in claims), "store on a PVC"
    cluster_port = next(p["containerPort"] for p in container["ports"] if p["name"] == "cluster")
    routes = set(re.findall(r"nats://(\S+)", text))
    name, service = sts["metadata"]["name"], spec["serviceName"]
    assert routes == {f"{name}-{i}.{service}:{cluster_port}" for i in range(3)}

    for file_name, content in files.items():
        (tmp_path / file_name).write_text(content)
    assert "include ./auth.conf" in text
    # The users' passwords: every key of the Secret the NATS container reads.
    assert container["envFrom"] == [{"secretRef": {"name": "esafety-nats"}}]
    nats_server_check(tmp_path / config_path.name, POD_NAME=f"{name}-0", **NATS_PASSWORDS)


def k8s_config_files(names: list[str]) -> dict[str, str]:
    """The files ConfigMaps put in a volume, listed ones and generated ones alike."""
    files: dict[str, str] = {}
    for name in names:
        if name in k8s("ConfigMap"):
            files.update(k8s("ConfigMap")[name]["data"])
            continue
        (generator,) = [g for g in kustomization()["configMapGenerator"] if g["name"] == name]
        for entry in generator["files"]:
            key, _, source = str(entry).rpartition("=")
            files[key or Path(source).name] = (K8S / source).read_text()
    return files


def test_nats_users_file_is_current() -> None:
    """Regenerate with `python -m shared.natsauth` (a new service gets its user there)."""
    wanted = render(grants())
    for path in OUTPUTS:
        assert path.read_text() == wanted, f"{path} is stale"
    assert {g.user for g in grants()} == set(PROCESSES)


@pytest.mark.parametrize("process", PROCESSES)
def test_every_process_connects_as_its_own_nats_user(process: str) -> None:
    env = environment(app_services()[process])
    assert env["ESAFETY_NATS_USER"] == process
    assert env["ESAFETY_NATS_PASSWORD"].startswith(f"${{{password_variable(process)}:?")
    (container,) = [c for c in containers(k8s("Deployment")[process])
                    if str(c["image"]).startswith(IMAGE)]
    k8s_env = {e["name"]: e for e in container["env"]}
    assert k8s_env["ESAFETY_NATS_USER"]["value"] == process
    assert k8s_env["ESAFETY_NATS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "esafety-nats", "key": password_variable(process)}
