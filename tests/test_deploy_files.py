"""deploy/'s files agree: the hub configuration, the Kubernetes values, manifest and image.

tests/test_jupyterhub.py runs deploy/jupyterhub_config.py in a real hub. The Kubernetes
files cannot run here; these checks keep them in step with the configuration that does
(the course id, the formgrader service and its role, the exchange, the Jupyter settings).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from traitlets.config.loader import PyFileConfigLoader

from conftest import ROOT

DEPLOY = ROOT / "deploy"


@pytest.fixture
def hub_config(monkeypatch):
    for name in [n for n in os.environ if n.startswith("RMLKIT_")]:
        monkeypatch.delenv(name)
    return PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY)).load_config()


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())


@pytest.fixture(scope="module")
def formgrader():
    documents = list(yaml.safe_load_all((DEPLOY / "k8s" / "formgrader.yaml").read_text()))
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {
        "documents": documents,
        "pod": deployment["spec"]["template"],
        "env": {e["name"]: e.get("value") for e in container["env"]},
        "mounts": {m["name"]: m["mountPath"] for m in container["volumeMounts"]},
    }


def dockerfile_env() -> dict[str, str]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(re.findall(r"(\w+)=(\S+)", line))
    return env


def test_the_course_id_is_the_same_everywhere(hub_config, values, formgrader):
    from traitlets.config.loader import PyFileConfigLoader as Loader

    exercises = Loader("nbgrader_config.py", path=str(ROOT / "exercises")).load_config()
    course = exercises.CourseDirectory.course_id
    service = hub_config.JupyterHub.services[0]
    assert service["name"] == course  # nbgrader: the formgrader service is named so
    assert list(values["hub"]["services"]) == [course]
    assert formgrader["env"]["JUPYTERHUB_SERVICE_NAME"] == course
    assert formgrader["env"]["RMLKIT_COURSE_ID"] == course
    assert values["singleuser"]["extraEnv"]["RMLKIT_COURSE_ID"] == course
    assert dockerfile_env()["RMLKIT_COURSE_ID"] == course
    assert f"formgrade-{course}" in hub_config.JupyterHub.load_groups


def test_instructors_role_is_the_same_on_kubernetes(hub_config, values):
    local = {r["name"]: r for r in hub_config.JupyterHub.load_roles}
    for name, role in values["hub"]["loadRoles"].items():
        assert sorted(role["scopes"]) == sorted(local[name]["scopes"]), name
        assert role.get("groups", []) == local[name].get("groups", [])


def test_every_server_finds_the_same_exchange(hub_config, values, formgrader):
    exchange = hub_config.Spawner.environment["RMLKIT_EXCHANGE"]
    assert exchange == "/srv/nbgrader/exchange"
    assert hub_config.JupyterHub.services[0]["environment"]["RMLKIT_EXCHANGE"] == exchange
    singleuser = values["singleuser"]
    assert singleuser["extraEnv"]["RMLKIT_EXCHANGE"] == exchange
    assert [m["mountPath"] for m in singleuser["storage"]["extraVolumeMounts"]] == [exchange]
    assert formgrader["env"]["RMLKIT_EXCHANGE"] == exchange
    assert formgrader["mounts"]["exchange"] == exchange
    assert dockerfile_env()["RMLKIT_EXCHANGE"] == exchange
    # Students' pods and the formgrader mount the same ReadWriteMany claim.
    claims = {d["metadata"]["name"]: d for d in formgrader["documents"]
              if d["kind"] == "PersistentVolumeClaim"}
    claim = singleuser["storage"]["extraVolumes"][0]["persistentVolumeClaim"]["claimName"]
    assert claims[claim]["spec"]["accessModes"] == ["ReadWriteMany"]


def test_jupyter_settings_by_role_exist_in_the_image(hub_config, formgrader):
    image_root = "/opt/rml-course/deploy"
    participant = hub_config.Spawner.environment["JUPYTER_CONFIG_PATH"]
    grader = hub_config.JupyterHub.services[0]["environment"]["JUPYTER_CONFIG_PATH"]
    in_image = lambda paths: paths.replace(str(DEPLOY), image_root)  # noqa: E731
    assert dockerfile_env()["JUPYTER_CONFIG_PATH"] == in_image(participant)
    assert formgrader["env"]["JUPYTER_CONFIG_PATH"] == in_image(grader)
    for folder in (participant + ":" + grader).split(":"):
        assert (Path(folder) / "nbgrader_config.py").is_file(), folder


def test_the_formgrader_pod_may_talk_to_the_hub_and_the_proxy(formgrader, values):
    labels = formgrader["pod"]["metadata"]["labels"]
    assert labels["hub.jupyter.org/network-access-hub"] == "true"
    service = next(d for d in formgrader["documents"] if d["kind"] == "Service")
    port = service["spec"]["ports"][0]["port"]
    url = values["hub"]["services"]["rml-social-sciences"]["url"]
    assert url == f"http://{service['metadata']['name']}:{port}"


def test_only_students_work_in_graded_mode(hub_config, monkeypatch, tmp_path):
    from types import SimpleNamespace

    graded = hub_config.Spawner.environment["RMLKIT_GRADED"]
    spawner = lambda name: SimpleNamespace(user=SimpleNamespace(name=name))  # noqa: E731
    assert graded(spawner("instructor")) == "0"
    assert graded(spawner("ada")) == "1"
    assert hub_config.JupyterHub.services[0]["environment"]["RMLKIT_GRADED"] == "0"
    # A roster file adds students to the hub's allowed users.
    roster = tmp_path / "roster.txt"
    roster.write_text("# class of 2026\nada\ngrace  # joined late\n")
    monkeypatch.setenv("RMLKIT_ROSTER", str(roster))
    monkeypatch.setenv("RMLKIT_STUDENTS", "alan")
    config = PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY)).load_config()
    assert config.Authenticator.allowed_users == {"instructor", "ada", "grace", "alan"}
    assert config.Spawner.environment["RMLKIT_GRADED"](spawner("grace")) == "1"


@pytest.mark.parametrize("role", ["participant", "grader"])
def test_no_role_is_asked_about_jupyter_news(role, monkeypatch, tmp_path):
    # What a server of the role reads on the hub (JUPYTER_CONFIG_PATH, as
    # jupyterhub_config.py, the image and the formgrader's Deployment set it): the
    # announcements plugin is off, and the server fetches no news and checks for no update.
    from jupyter_server.serverapp import ServerApp
    from jupyterlab_server.config import get_page_config

    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path))  # not the kit's own .jupyter/
    monkeypatch.setenv("JUPYTER_CONFIG_PATH",
                       os.pathsep.join([str(DEPLOY / "jupyter" / role), str(DEPLOY)]))
    disabled = get_page_config([])["disabledExtensions"]
    assert "@jupyterlab/apputils-extension:announcements" in disabled, disabled
    server = ServerApp()
    server.load_config_file()
    assert server.config.LabApp.news_url is None
    assert server.config.LabApp.check_for_updates_class == "jupyterlab.NeverCheckForUpdate"
