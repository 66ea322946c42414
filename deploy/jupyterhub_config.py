"""JupyterHub for the course: students, instructors, nbgrader's exchange, a formgrader service.

One machine, everyone a system user (PAM logins, each server started as its owner by
JupyterHub's LocalProcessSpawner), as in nbgrader 0.9's documented hub setup "one class,
multiple graders":

- students and instructors log in and get their own JupyterLab, with nbgrader's
  assignment list (fetch, submit) and without the formgrader;
- the formgrader runs once, as a JupyterHub *service* named after the course, under a
  separate system account (``grader-<course>``) that owns the course directory and its
  gradebook; instructors reach it at ``/services/<course>/formgrader`` (a role gives
  them access; students get a 403);
- assignments move through nbgrader's exchange, a shared folder (``/srv/nbgrader/exchange``);
- students' servers run with ``RMLKIT_GRADED=1``, so ``rmlkit.check`` keeps the model
  answers hidden; instructors' servers with ``RMLKIT_GRADED=0``;
- the book's nbgitpuller launch buttons (``/hub/user-redirect/git-pull?...``) open in the
  student's own server when nbgitpuller is installed in the users' environment.

Start it as root from the hub's state folder (deploy/README.md has the steps):

    cd /srv/jupyterhub
    /opt/rml-course/.venv/bin/jupyterhub -f /opt/rml-course/deploy/jupyterhub_config.py

Settings come from environment variables, so the same file serves a workshop machine and
the tests (tests/test_jupyterhub.py loads it and replaces only the logins and the spawner):

    RMLKIT_COURSE_ID       the course id (default rml-social-sciences, as in exercises/)
    RMLKIT_INSTRUCTORS     hub users who grade, separated by commas (default: instructor)
    RMLKIT_STUDENTS        students allowed to log in, separated by commas
    RMLKIT_ROSTER          a file with one student user name a line (added to RMLKIT_STUDENTS)
    RMLKIT_GRADER_USER     the system account of the formgrader service (default
                           grader-<course>; empty: the hub's own account, for tests only)
    RMLKIT_GRADER_HOME     its home (default /home/<grader account>)
    RMLKIT_COURSE_DIR      the course directory made by `rmlkit course init`
                           (default <grader home>/<course id>)
    RMLKIT_EXCHANGE        nbgrader's exchange (default /srv/nbgrader/exchange)
    RMLKIT_FORMGRADER_PORT the formgrader service's local port (default 9999)
    RMLKIT_HUB_STATE       where the hub keeps its database and cookie secret
                           (default /srv/jupyterhub)
    RMLKIT_SINGLEUSER      the users' jupyterhub-singleuser (default: the kit's .venv)
"""

import os
import re
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

DEPLOY = Path(__file__).resolve().parent
KIT = DEPLOY.parent


def _names(text: str) -> list[str]:
    return [name for name in re.split(r"[\s,]+", text) if name and not name.startswith("#")]


def _roster(path: str) -> list[str]:
    if not path:
        return []
    lines = Path(path).read_text().splitlines()
    return _names(" ".join(line.split("#", 1)[0] for line in lines))


COURSE = os.environ.get("RMLKIT_COURSE_ID", "rml-social-sciences")
INSTRUCTORS = _names(os.environ.get("RMLKIT_INSTRUCTORS", "instructor"))
STUDENTS = sorted(set(_names(os.environ.get("RMLKIT_STUDENTS", "")))
                  | set(_roster(os.environ.get("RMLKIT_ROSTER", ""))))
GRADER_USER = os.environ.get("RMLKIT_GRADER_USER", f"grader-{COURSE}")
GRADER_HOME = os.environ.get("RMLKIT_GRADER_HOME", f"/home/{GRADER_USER or 'grader'}")
COURSE_DIR = os.environ.get("RMLKIT_COURSE_DIR", os.path.join(GRADER_HOME, COURSE))
EXCHANGE = os.environ.get("RMLKIT_EXCHANGE", "/srv/nbgrader/exchange")
FORMGRADER_PORT = int(os.environ.get("RMLKIT_FORMGRADER_PORT", "9999"))
STATE = Path(os.environ.get("RMLKIT_HUB_STATE", "/srv/jupyterhub"))
_venv_singleuser = KIT / ".venv" / "bin" / "jupyterhub-singleuser"
SINGLEUSER = os.environ.get("RMLKIT_SINGLEUSER") or (
    str(_venv_singleuser) if _venv_singleuser.exists() else "jupyterhub-singleuser")

# Jupyter settings by role: every server also reads deploy/nbgrader_config.py (the
# course id and the exchange), then the settings of its role in deploy/jupyter/<role>/.
PARTICIPANT_CONFIG = os.pathsep.join([str(DEPLOY / "jupyter" / "participant"), str(DEPLOY)])
GRADER_CONFIG = os.pathsep.join([str(DEPLOY / "jupyter" / "grader"), str(DEPLOY)])

# --- the hub ---------------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
_proxy = KIT / "node_modules" / ".bin" / "configurable-http-proxy"
if _proxy.exists():  # `make setup` installs the pinned proxy from npm (package-lock.json)
    c.ConfigurableHTTPProxy.command = [str(_proxy)]

# --- who may log in --------------------------------------------------------------------
# System accounts with their passwords (PAM). Replace the authenticator for your
# institution's logins (OAuthenticator, LDAP); the user names must stay the same.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(INSTRUCTORS) | set(STUDENTS)
# Graders share the course's formgrader. nbgrader expects this group name.
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": INSTRUCTORS},
    f"nbgrader-{COURSE}": {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    {
        "name": f"formgrade-{COURSE}",
        "description": f"Use the formgrader of {COURSE}",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [
            f"access:services!service={COURSE}",
            "list:services",
            f"read:services!service={COURSE}",
        ],
    },
    # A server's own token may do what its owner may do: nbgrader's course list
    # extension asks the hub which formgraders an instructor can open.
    {"name": "server", "scopes": ["inherit"]},
]

# --- each person's server ----------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"  # as the user's own system account
c.Spawner.cmd = [SINGLEUSER]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180


def _graded(spawner) -> str:
    """Students never see model answers (rmlkit.check); instructors do."""
    return "0" if spawner.user.name in INSTRUCTORS else "1"


c.Spawner.environment = {
    "RMLKIT_GRADED": _graded,
    "RMLKIT_COURSE_ID": COURSE,
    "RMLKIT_EXCHANGE": EXCHANGE,
    "JUPYTER_CONFIG_PATH": PARTICIPANT_CONFIG,
}
# Stop kernels idle for an hour and servers idle for two: one machine serves a workshop.
c.Spawner.args = [
    "--MappingKernelManager.cull_idle_timeout=3600",
    "--MappingKernelManager.cull_interval=300",
    "--ServerApp.shutdown_no_activity_timeout=7200",
]

# --- the formgrader, a service shared by the instructors ---------------------------------
_service = {
    "name": COURSE,  # nbgrader: the service's name MUST be the course id
    "display": True,
    "url": f"http://127.0.0.1:{FORMGRADER_PORT}",
    "command": [SINGLEUSER],
    "cwd": GRADER_HOME,
    "environment": {
        "HOME": GRADER_HOME,
        "JUPYTERHUB_DEFAULT_URL": "/formgrader",
        "JUPYTER_CONFIG_PATH": GRADER_CONFIG,
        "RMLKIT_COURSE_ID": COURSE,
        "RMLKIT_COURSE_DIR": COURSE_DIR,
        "RMLKIT_EXCHANGE": EXCHANGE,
        "RMLKIT_GRADED": "0",
    },
    "oauth_no_confirm": True,
    # The hub waits this long for the formgrader at start-up, then gives up (and exits).
    "timeout": 180,
}
if GRADER_USER:
    _service["user"] = GRADER_USER
c.JupyterHub.services = [_service]
