"""Who runs `rmlkit course`: root, or a normal user (made here when the tests run as root).

CI runs as root, but instructors on a laptop and the grader account on a hub do not.
:func:`grader` returns a :class:`Grader` that runs ``.venv/bin/rmlkit`` by its full path,
as that user, with a PATH that lacks the environment (as when it is not activated), in
a folder of its own that the user can read. The normal-user account is
``rmlkit-grader`` (``useradd`` makes it on first use); when it cannot be had, the test
is skipped with the reason.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BIN

NORMAL_USER = "rmlkit-grader"
WHO = ["root", "normal user"]
BARE_PATH = "/usr/local/bin:/usr/bin:/bin"  # no .venv/bin: the environment not activated


class Grader:
    """Runs commands as one user, in a workspace that user owns.

    ``reach`` maps folders the user cannot enter (``/root``, when this Python lives in
    root's home, as with pyenv) to the child that leads to this Python: the commands
    then run in a private mount namespace where such a folder is an empty, enterable
    tmpfs holding only that child. The machine itself is left as it is.
    """

    def __init__(self, who: str, account: pwd.struct_passwd | None, reach=None):
        self.who, self.account, self.reach = who, account, dict(reach or {})
        self.workspace = Path(tempfile.mkdtemp(prefix="rmlkit-grader-"))
        os.chmod(self.workspace, 0o755)
        if account is not None:
            os.chown(self.workspace, account.pw_uid, account.pw_gid)

    @property
    def home(self) -> str:
        return self.account.pw_dir if self.account else os.environ.get("HOME", "/root")

    def give(self, path: Path) -> Path:
        """Make ``path`` (a file or folder written by the test) the grader's own."""
        if self.account is not None:
            for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
                os.chown(item, self.account.pw_uid, self.account.pw_gid)
        return path

    def run(self, *args, timeout=900, check=True) -> subprocess.CompletedProcess:
        """``.venv/bin/rmlkit ARGS`` as this grader, without the environment on PATH."""
        env = {"PATH": BARE_PATH, "HOME": self.home, "LANG": "C.UTF-8",
               "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        done = subprocess.run(self.command([str(BIN / "rmlkit"), *map(str, args)]), env=env,
                              cwd=self.workspace, capture_output=True, text=True,
                              timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"rmlkit {' '.join(map(str, args))} exited with "
                                 f"{done.returncode} as {self.who}:\n{done.stdout[-3000:]}\n"
                                 f"{done.stderr[-3000:]}")
        return done

    def command(self, command: list[str]) -> list[str]:
        return _as_user(self.account, self.reach, command)

    def cleanup(self) -> None:
        shutil.rmtree(self.workspace, ignore_errors=True)


def _as_user(account, reach, command: list[str]) -> list[str]:
    """``command`` as ``account`` (through ``setpriv``, in a mount namespace if need be)."""
    if account is None:
        return command
    user = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}",
            "--clear-groups", "--", *command]
    if not reach:
        return user
    steps = ["set -e", "mount -t tmpfs -o size=64k,mode=0700 tmpfs /mnt"]
    for number, (folder, children) in enumerate(sorted(reach.items())):
        for index, child in enumerate(sorted(children)):
            steps += [f"mkdir /mnt/{number}-{index}",
                      f"mount --rbind '{child}' /mnt/{number}-{index}"]
        steps.append(f"mount -t tmpfs -o size=64k,mode=0711 tmpfs '{folder}'")
        for index, child in enumerate(sorted(children)):
            steps += [f"mkdir -p '{child}'", f"mount --move /mnt/{number}-{index} '{child}'"]
    steps.append('exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            "; ".join(steps), "sh", *user]


def _normal_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(NORMAL_USER)
    except KeyError:
        pass
    if shutil.which("useradd") is None:
        pytest.skip("grading as a normal user needs one: useradd is not available here")
    made = subprocess.run(["useradd", "--create-home", "--user-group", "--shell",
                           "/usr/sbin/nologin", NORMAL_USER], capture_output=True, text=True)
    if made.returncode != 0 and "already exists" not in made.stderr:
        pytest.skip(f"could not create the user {NORMAL_USER}: {made.stderr.strip()}")
    return pwd.getpwnam(NORMAL_USER)


def grader(who: str) -> Grader:
    """A :class:`Grader` for ``who`` ("root" or "normal user"), or skip with the reason."""
    root = os.geteuid() == 0
    if who == "root":
        if not root:
            pytest.skip("the root run needs the tests to run as root (CI does)")
        return Grader(who, None)
    if not root:
        return Grader(who, None)  # the tests already run as a normal user
    from rmlkit.sandbox import _mount_plan

    account = _normal_account()
    python = os.path.realpath(BIN / "python")
    reach = _mount_plan([], [python, str(BIN)], account.pw_uid)
    if reach and not (shutil.which("unshare") and shutil.which("setpriv")):
        pytest.skip(f"{NORMAL_USER} cannot reach {python} and unshare/setpriv are missing")
    probe = subprocess.run(_as_user(account, reach, [str(BIN / "python"), "-c",
                                                     "import rmlkit, nbgrader"]),
                           capture_output=True, text=True, env={"PATH": BARE_PATH})
    if probe.returncode != 0:
        pytest.skip(f"{NORMAL_USER} cannot use {BIN.parent} (it must be readable by other "
                    f"users): {probe.stderr.strip()[-300:]}")
    return Grader(who, account, reach)
