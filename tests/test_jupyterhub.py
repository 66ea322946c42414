"""A real JupyterHub runs the course: release, fetch, submit, collect, autograde, grades.

The hub is JupyterHub from .venv with deploy/jupyterhub_config.py, the configurable-http-
proxy from npm (node_modules), on 127.0.0.1 and free ports. The test replaces only what a
test machine cannot have: the logins (an authenticator with one password per person,
defined below, instead of PAM) and the spawner (SimpleLocalProcessSpawner, which runs
every server as the hub's own system account, root here, with a separate home folder,
instead of one system account per person). The formgrader service, the roles, the
exchange, the students' environment and the nbgrader settings are deploy/'s own.

Everything goes through HTTP as the browser extensions do: the hub's REST API, the
formgrader's API (/services/<course>/formgrader/api/...) as the instructor, nbgrader's
assignment list (/user/<student>/assignments...) and the contents API as each student.

Not covered here: separate system accounts and file permissions between people (all
servers run as root), PAM, TLS, nbgitpuller (not installed; only the hub's redirect of
the book's launch links is checked), Kubernetes (deploy/z2jh-values.yaml is not run).
The hub's log is in tests/artifacts/jupyterhub.log.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import nbformat
import pytest
import requests

from rmlkit import course

from conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
DEPLOY_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
COURSE = "rml-social-sciences"
ASSIGNMENT = "first-audit"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = ROOT / "exercises" / "source" / ASSIGNMENT / NOTEBOOK
INSTRUCTOR, STUDENTS = "instructor", ["ada", "grace"]  # ada answers, grace hands in blank
LOG = ARTIFACTS / "jupyterhub.log"

TEST_CONFIG = '''
c = get_config()  # noqa: F821
load_subconfig({deploy!r})  # noqa: F821  the configuration under test

from jupyterhub.auth import Authenticator


class PasswordPerPerson(Authenticator):
    """Test logins: each person has their own password."""

    passwords = {passwords!r}

    async def authenticate(self, handler, data):
        name = data.get("username", "")
        if name in self.passwords and secrets.compare_digest(
                self.passwords[name], data.get("password", "")):
            return name
        return None


import secrets  # noqa: E402

c.JupyterHub.authenticator_class = PasswordPerPerson
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
# Every server as the hub's own account (root here), each in its own home folder.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.args = c.Spawner.args + ["--ServerApp.allow_root=True"]
c.JupyterHub.services[0]["command"].append("--ServerApp.allow_root=True")
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent id, start time) of a process, or None once it has gone or is a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else (int(fields[1]), int(fields[19]))


def descendants(pid: int) -> set[tuple[int, int]]:
    """Every process below ``pid`` (servers, the proxy, kernels) as (id, start time)."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))):
            children.setdefault(stat[0], []).append((int(entry), stat[1]))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child[0])
    return found


def alive(process: tuple[int, int]) -> bool:
    """Still running, and the same process (an id can be reused by a new one)."""
    stat = _stat(process[0])
    return stat is not None and stat[1] == process[1]


class Hub:
    """The running hub: its address and one logged-in HTTP session per person."""

    def __init__(self, url: str, exchange: Path, homes: Path, course_dir: Path):
        self.url, self.exchange, self.homes, self.course_dir = url, exchange, homes, course_dir
        self.tokens: dict[str, str] = {}
        self.passwords: dict[str, str] = {}
        self.pid, self.grader_home = 0, homes

    def session(self, name: str) -> requests.Session:
        s = requests.Session()
        s.trust_env = False  # never an HTTP proxy from the environment: 127.0.0.1 only
        s.headers["Authorization"] = f"token {self.tokens[name]}"
        return s

    def formgrader(self, method: str, path: str, who: str = INSTRUCTOR, **kwargs):
        url = f"{self.url}/services/{COURSE}/formgrader/api/{path}"
        return self.session(who).request(method, url, timeout=600, **kwargs)

    def server(self, method: str, name: str, path: str, who: str | None = None, **kwargs):
        url = f"{self.url}/user/{name}/{path}"
        return self.session(who or name).request(method, url, timeout=300, **kwargs)


def login_token(url: str, name: str, password: str) -> requests.Response:
    """An API token for ``name``, asked for with a user name and password (no cookie)."""
    return requests.post(f"{url}/hub/api/users/{name}/tokens", timeout=60,
                         json={"auth": {"username": name, "password": password},
                               "note": "tests/test_jupyterhub.py"})


def wait_for(what: str, check, process, timeout: float = 180, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterHub exited ({process.returncode}) while waiting for {what}; "
                        f"see {LOG}")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(every)
    pytest.fail(f"{what} not ready within {timeout:.0f} s; see {LOG}")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    assert PROXY.exists(), "configurable-http-proxy is missing: run `make setup` (npm ci)."
    tmp = tmp_path_factory.mktemp("hub")
    exchange, homes, state = tmp / "exchange", tmp / "home", tmp / "state"
    for folder in (exchange, homes, state):
        folder.mkdir()
    os.chmod(exchange, 0o1777)  # as deploy/README.md says: install -d -m 1777
    grader_home = homes / f"grader-{COURSE}"
    course_dir = course.init_course(grader_home / COURSE, assignments=[ASSIGNMENT])

    passwords = {name: secrets.token_hex(12) for name in [INSTRUCTOR, *STUDENTS]}
    port, hub_port, proxy_api_port, formgrader_port = (free_port() for _ in range(4))
    config = tmp / "jupyterhub_config.py"
    config.write_text(TEST_CONFIG.format(
        deploy=str(DEPLOY_CONFIG), passwords=passwords, port=port, hub_port=hub_port,
        proxy_api_port=proxy_api_port, proxy=str(PROXY), homes=str(homes)))
    env = dict(
        os.environ,
        RMLKIT_COURSE_ID=COURSE,
        RMLKIT_INSTRUCTORS=INSTRUCTOR,
        RMLKIT_STUDENTS=",".join(STUDENTS),
        RMLKIT_GRADER_USER="",  # the service runs as the hub's account too
        RMLKIT_GRADER_HOME=str(grader_home),
        RMLKIT_COURSE_DIR=str(course_dir),
        RMLKIT_EXCHANGE=str(exchange),
        RMLKIT_FORMGRADER_PORT=str(formgrader_port),
        RMLKIT_HUB_STATE=str(state),
        RMLKIT_SINGLEUSER=str(BIN / "jupyterhub-singleuser"),
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(LOG, "w")
    process = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(config)], cwd=tmp, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    started: set[tuple[int, int]] = set()
    watching = threading.Event()

    def watch():  # every process the hub starts, even if the hub dies before the end
        while not watching.wait(0.5):
            started.update(descendants(process.pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        # The hub answers once its formgrader service is up (up to 180 s on a busy machine).
        wait_for("the hub", lambda: requests.get(f"{url}/hub/api/", timeout=5).ok, process,
                 timeout=300)
        h = Hub(url, exchange, homes, course_dir)
        h.passwords, h.pid, h.grader_home = passwords, process.pid, grader_home
        for name, password in passwords.items():
            response = login_token(url, name, password)
            assert response.status_code == 201, f"no token for {name}: {response.text}"
            h.tokens[name] = response.json()["token"]
        for name in STUDENTS:  # the students' own servers, started as the hub's UI does
            response = h.session(name).post(f"{url}/hub/api/users/{name}/server", timeout=60)
            assert response.status_code in (201, 202), response.text
        for name in STUDENTS:
            wait_for(f"{name}'s server", lambda name=name: h.session(name).get(
                f"{url}/hub/api/users/{name}", timeout=10).json()["servers"][""]["ready"],
                process)
        wait_for("the formgrader service",
                 lambda: h.formgrader("GET", "status").status_code == 200, process)
        yield h
    finally:
        watching.set()
        watcher.join()
        started.update(descendants(process.pid))
        process.send_signal(signal.SIGTERM)  # the hub stops the servers and the proxy
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(p) for p in started):
            time.sleep(0.5)
        for leftover in sorted(started):  # whatever the hub did not stop, by its id
            if alive(leftover):
                with open(LOG, "a") as late:
                    late.write(f"\n[test] process {leftover[0]} outlived the hub; killed\n")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(leftover[0], signal.SIGKILL)
        log.close()


# --------------------------------------------------------------------------------------
# Who can reach what


def test_students_cannot_grade_or_reach_each_other(hub):
    # The formgrader is a service for the instructors' group only.
    assert hub.formgrader("GET", "status").status_code == 200
    assert hub.formgrader("GET", "status", who="ada").status_code == 403
    # A student's token opens her own server, not another student's.
    assert hub.server("GET", "ada", "api/contents", who="ada").status_code == 200
    assert hub.server("GET", "grace", "api/contents", who="ada").status_code == 403
    # A student's password is not another's.
    assert login_token(hub.url, "grace", hub.passwords["ada"]).status_code == 403
    # Students' servers have nbgrader's assignment list, not the formgrader.
    listing = hub.server("GET", "ada", f"assignments?course_id={COURSE}")
    assert listing.status_code == 200 and listing.json()["success"], listing.text
    assert hub.server("GET", "ada", "formgrader/api/status").status_code == 404
    lab = hub.server("GET", "ada", "lab")
    assert lab.status_code == 200
    page = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                     lab.text, re.S)
    disabled = json.loads(page.group(1))["disabledExtensions"]
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyterlab/apputils-extension:announcements"} <= set(disabled), disabled
    assert json.loads(page.group(1))["news"] == {"disabled": True}  # no news prompt
    federated = {e["name"] for e in json.loads(page.group(1))["federated_extensions"]}
    assert "jupyterlab-myst" in federated, federated  # the lessons' MyST renders


def test_launch_links_open_the_students_own_server(hub):
    # A student logs in with the hub's login form, as in a browser ...
    browser = requests.Session()
    browser.trust_env = False
    form = browser.get(f"{hub.url}/hub/login", timeout=30)
    assert form.status_code == 200 and "_xsrf" in browser.cookies
    wrong = browser.post(f"{hub.url}/hub/login", allow_redirects=False, timeout=30, data={
        "username": "grace", "password": hub.passwords["ada"],
        "_xsrf": browser.cookies["_xsrf"]})
    assert wrong.status_code == 403
    login = browser.post(f"{hub.url}/hub/login", allow_redirects=False, timeout=30, data={
        "username": "grace", "password": hub.passwords["grace"],
        "_xsrf": browser.cookies["_xsrf"]})
    assert login.status_code == 302, login.text
    # ... and the book's nbgitpuller buttons (/hub/user-redirect/git-pull?...) lead to
    # her own server (where nbgitpuller, once installed, pulls the course).
    query = {"repo": "https://example.org/course", "urlpath": "lab/tree/course"}
    url = f"{hub.url}/hub/user-redirect/git-pull?{urlencode(query)}"
    for _ in range(5):  # the hub's own redirects (its spawn page, as her server runs)
        response = browser.get(url, allow_redirects=False, timeout=60)
        assert response.status_code == 302, response.text[:500]
        url = urljoin(url, response.headers["Location"])
        if urlsplit(url).path.startswith("/user/"):
            break
    assert urlsplit(url).path == "/user/grace/git-pull"
    assert dict(parse_qsl(urlsplit(url).query)) == query


async def _execute(hub: Hub, name: str, code: str) -> str:
    """Run ``code`` in a new kernel of ``name``'s server over its websocket; return stdout."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    kernel = hub.server("POST", name, "api/kernels", json={"name": "python3"}).json()
    ws_url = (hub.url.replace("http://", "ws://")
              + f"/user/{name}/api/kernels/{kernel['id']}/channels")
    ws = await websocket_connect(HTTPRequest(
        ws_url, headers={"Authorization": f"token {hub.tokens[name]}"}, request_timeout=120))
    msg_id = uuid.uuid4().hex
    await ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": name,
                   "session": uuid.uuid4().hex, "version": "5.3",
                   "date": datetime.datetime.now(datetime.UTC).isoformat()},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    out = []
    try:
        while True:
            raw = await asyncio.wait_for(ws.read_message(), timeout=120)
            assert raw is not None, "the kernel's websocket closed"
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                out.append(f"{content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                break
    finally:
        ws.close()
        hub.server("DELETE", name, f"api/kernels/{kernel['id']}")
    return "".join(out)


def test_students_kernels_hide_model_answers(hub):
    code = ("import os\nfrom rmlkit.check import graded_mode\n"
            "print(os.environ.get('RMLKIT_GRADED'), graded_mode(), os.environ['HOME'])")
    # In a thread with its own event loop: Playwright's sync API (the browser tests in the
    # same session) keeps a loop running in the main thread, where asyncio.run refuses.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        out = pool.submit(asyncio.run, _execute(hub, "ada", code)).result().split()
    assert out == ["1", "True", str(hub.homes / "ada")], out


# --------------------------------------------------------------------------------------
# The course cycle


def answered(released: dict, source: Path) -> dict:
    """The released notebook with every answer cell filled in from the solution."""
    solutions = {}
    for cell in nbformat.read(source, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = [line for line in cell.source.splitlines()
                     if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line]
            solutions[meta["grade_id"]] = "\n".join(lines)
    nb = nbformat.from_dict(released)
    filled = 0
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions[grade_id]
            filled += 1
    assert filled >= 2, "the released notebook has no answer cells to fill"
    return nb


def autograded_points(source: Path) -> float:
    return sum(cell.metadata["nbgrader"].get("points", 0)
               for cell in nbformat.read(source, as_version=4).cells
               if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"))


def ok(response: requests.Response) -> dict | list:
    assert response.status_code == 200, f"{response.request.url}: {response.status_code}"
    body = response.json()
    if isinstance(body, dict) and "success" in body:
        assert body["success"], f"{response.request.url}:\n{body.get('error') or body}"
    return body


def test_release_fetch_submit_collect_autograde(hub):
    # The instructor makes the student version and releases it into the exchange.
    ok(hub.formgrader("POST", f"assignment/{ASSIGNMENT}/assign"))
    ok(hub.formgrader("POST", f"assignment/{ASSIGNMENT}/release"))
    course_path = hub.exchange / COURSE
    assert (course_path / "outbound" / ASSIGNMENT / NOTEBOOK).is_file()
    # Students may hand in but not list the inbox (nbgrader's own permissions).
    assert (course_path / "inbound").stat().st_mode & 0o7777 == 0o2733

    # Each student fetches it, works in it (the contents API, as JupyterLab saves) and
    # submits, all through her own server.
    for name in STUDENTS:
        listing = ok(hub.server("GET", name, f"assignments?course_id={COURSE}"))
        assert {(a["assignment_id"], a["status"]) for a in listing["value"]} == \
            {(ASSIGNMENT, "released")}
        fetched = ok(hub.server("POST", name, "assignments/fetch",
                                json={"course_id": COURSE, "assignment_id": ASSIGNMENT}))
        assert (ASSIGNMENT, "fetched") in {(a["assignment_id"], a["status"])
                                           for a in fetched["value"]}
        path = f"api/contents/{ASSIGNMENT}/{NOTEBOOK}"
        released = ok(hub.server("GET", name, path))["content"]
        assert "BEGIN HIDDEN TESTS" not in json.dumps(released)
        if name == "ada":
            nb = answered(released, SOURCE)
            saved = hub.server("PUT", name, path, json={"type": "notebook", "format": "json",
                                                         "content": nb})
            assert saved.status_code == 200, saved.text
        ok(hub.server("POST", name, "assignments/submit",
                      json={"course_id": COURSE, "assignment_id": ASSIGNMENT}))
    inbox = sorted(p.name.split("+")[0] for p in (course_path / "inbound").iterdir())
    assert inbox == sorted(STUDENTS), inbox

    # The instructor collects and autogrades through the formgrader.
    ok(hub.formgrader("POST", f"assignment/{ASSIGNMENT}/collect"))
    for name in STUDENTS:
        assert (hub.course_dir / "submitted" / name / ASSIGNMENT / NOTEBOOK).is_file()
        ok(hub.formgrader("POST", f"submission/{ASSIGNMENT}/{name}/autograde"))
    submissions = {s["student"]: s for s in ok(hub.formgrader("GET", f"submissions/{ASSIGNMENT}"))}
    assert set(submissions) == set(STUDENTS)
    points = autograded_points(SOURCE)
    assert points > 0
    for name, expected in {"ada": points, "grace": 0.0}.items():
        submission = submissions[name]
        assert submission["autograded"], submission
        assert submission["max_code_score"] == pytest.approx(points)
        assert submission["code_score"] == pytest.approx(expected), (name, submission)
    # The written answer waits for a grader; the blank one needs none of its points.
    assert submissions["ada"]["needs_manual_grade"]



# --------------------------------------------------------------------------------------
# Kubernetes runs the formgrader outside the hub: with the environment the hub gives it


def test_kubernetes_formgrader_gets_what_the_hub_gives_its_service(hub):
    import yaml

    services = [pid for pid, _ in descendants(hub.pid)
                if Path(f"/proc/{pid}/cwd").resolve() == hub.grader_home.resolve()
                and b"jupyterhub-singleuser" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(services) == 1, services
    environ = dict(item.split("=", 1) for item in
                   Path(f"/proc/{services[0]}/environ").read_text().split("\0") if "=" in item)
    given = {name for name, value in environ.items() if value and (
        name.startswith(("JUPYTERHUB_", "RMLKIT_")) or name == "JUPYTER_CONFIG_PATH")}
    manifest = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / "formgrader.yaml").read_text()))
    deployment = next(d for d in manifest if d["kind"] == "Deployment")
    env = {e["name"]: e.get("value") for e in
           deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert given <= set(env), sorted(given - set(env))
    for name in ["JUPYTERHUB_SERVICE_NAME", "JUPYTERHUB_CLIENT_ID", "JUPYTERHUB_SERVICE_PREFIX",
                 "JUPYTERHUB_OAUTH_CALLBACK_URL", "JUPYTERHUB_OAUTH_ACCESS_SCOPES",
                 "JUPYTERHUB_BASE_URL", "JUPYTERHUB_DEFAULT_URL", "RMLKIT_COURSE_ID"]:
        ours, hubs = env[name], environ[name]
        if name.endswith("SCOPES"):
            ours, hubs = json.loads(ours), json.loads(hubs)
        assert ours == hubs, name
