"""JupyterLab starts from the project's own configuration, as root or not, with nbgrader."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


def run_lab(notebook_dir: Path, log_name: str, *extra_args: str):
    """Start JupyterLab from the project's configuration on 127.0.0.1; yield (url, token)."""
    port, token = free_port(), secrets.token_hex(16)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(ROOT / ".jupyter"))
    process = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", f"--port={port}", f"--IdentityProvider.token={token}",
         f"--notebook-dir={notebook_dir}", *extra_args],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}; see {log.name}")
        try:
            get(f"{base}/api/status", token)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.terminate()
        pytest.fail(f"JupyterLab did not answer within 90 s; see {log.name}")
    yield base, token
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def lab():
    yield from run_lab(ROOT, "lab.log")


def test_lab_starts_with_the_project_configuration(lab):
    base, token = lab
    status, body = get(f"{base}/api/status", token)
    assert status == 200 and "started" in json.loads(body)
    status, body = get(f"{base}/lab", token)
    assert status == 200 and "JupyterLab" in body


def test_lessons_and_exercises_are_visible(lab):
    base, token = lab
    _, body = get(f"{base}/api/contents/notebooks", token)
    names = {item["name"] for item in json.loads(body)["content"]}
    assert "04-risk-model.ipynb" in names


def test_nbgrader_extensions_are_on(lab):
    base, token = lab
    # The formgrader and the assignment list answer from the course in exercises/.
    status, _ = get(f"{base}/formgrader", token)
    assert status == 200
    _, body = get(f"{base}/formgrader/api/assignments", token)
    assert "first-audit" in {a["name"] for a in json.loads(body)}
    status, _ = get(f"{base}/assignments?course_id=rml-social-sciences", token)
    assert status == 200


def page_config(body: str) -> dict:
    """The settings JupyterLab hands its front end, from the /lab page."""
    data = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                     body, re.S)
    return json.loads(data.group(1))


def test_no_prompt_for_jupyter_news_or_updates(lab):
    # JupyterLab's announcements plugin asks every new user "Would you like to get
    # notified about official Jupyter news?"; in a workshop room it only distracts.
    base, token = lab
    _, body = get(f"{base}/lab", token)
    config = page_config(body)
    assert "@jupyterlab/apputils-extension:announcements" in config["disabledExtensions"], \
        config["disabledExtensions"]
    assert config["news"] == {"disabled": True}
    # The server neither fetches news nor asks PyPI for a newer version (asked only now
    # that the settings above are known to be off, so the test reaches nothing outside).
    _, news = get(f"{base}/lab/api/news", token)
    assert json.loads(news)["news"] == []
    _, update = get(f"{base}/lab/api/update", token)
    assert json.loads(update)["notification"] is None


def test_jupyterlab_myst_is_on(lab):
    # The lessons' MyST (admonitions, {term}, {ref}, {cite}) renders in JupyterLab only
    # with jupyterlab-myst loaded; test_lab_browser.py checks what it draws.
    base, token = lab
    _, body = get(f"{base}/lab", token)
    config = page_config(body)
    loaded = {extension["name"] for extension in config["federated_extensions"]}
    assert "jupyterlab-myst" in loaded, sorted(loaded)
    assert "jupyterlab-myst" not in config["disabledExtensions"]
