"""Run a student's notebook where it cannot harm the course: limits, isolation, tampering.

Used by ``rmlkit course autograde`` (:mod:`rmlkit.course`). Each submission runs in a
temporary folder that holds only its own files, in a kernel that is started through a
small launcher (``python -m rmlkit.sandbox launch``). The launcher, before it becomes
the kernel:

- hides the course directory (source, hidden tests, gradebook, other submissions) and
  the grader's home under empty read-only file systems, in a private mount namespace,
  and gives the kernel an empty ``/tmp``, ``/var/tmp`` and ``/dev/shm`` of its own;
- leaves the network behind, in a private network namespace (only ``lo``, down);
- stays as the first process of a private PID namespace, so that every process the
  kernel starts (a new session, a double fork) ends when the kernel does;
- sets resource limits: address space (memory), CPU seconds, file size, no core files,
  and the number of processes (counted in the kernel's own user id or user namespace);
- drops to an unprivileged user id (as root) so that file permissions protect the rest.

A normal user gets the same, inside a user namespace of its own, except the separate
user id. Test cells run under ``rmlkit._cell_guard``, which undoes what student code
changed in how IPython runs cells before every test cell.

The grader talks to the kernel over Unix sockets (ZMQ ``ipc`` transport), which do not
need the network. The executing preprocessor adds a time limit per cell (nbgrader's),
a total time limit per submission, a cap on the size of the output, and turns a dead
kernel into error outputs, so that every submission gets a grade and a reason.

Which protections are available depends on the platform; :func:`available_protections`
says which, and the course commands print it. Introduced in the book page "Instructor's guide".
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import dataclasses
import functools
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rmlkit import _cell_guard as cell_guard

from ._checks import check_type

__all__ = [
    "Limits",
    "Protection",
    "available_protections",
    "detect_tampering",
    "execute_in_sandbox",
]

# User ids for kernels when the grader runs as root: each running kernel holds one of
# its own (a lock file says which are taken), so that the process limit of one
# submission never counts another's processes, and cleaning up after one never ends
# another's, even when several gradings run at once.
KERNEL_UID_BASE = 61_000
KERNEL_UID_COUNT = 1_000
UID_LOCKS = Path(tempfile.gettempdir()) / "rmlkit-kernel-uids"


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits for one submission.

    ``cell_timeout`` and ``total_timeout`` are wall-clock seconds, ``cpu_seconds`` the
    kernel's CPU time, ``memory_mb`` its address space, ``processes`` the number of
    processes and threads of the kernel's user id, ``output_bytes`` the output kept
    from the whole notebook. ``network=True`` lets the kernel use the network.

    Introduced in the book page "Instructor's guide".
    """

    cell_timeout: int = 120
    total_timeout: int = 900
    cpu_seconds: int = 900
    memory_mb: int = 4096
    processes: int = 256
    output_bytes: int = 2_000_000
    file_mb: int = 200
    network: bool = False

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.type == "int" and (isinstance(value, bool) or int(value) != value
                                        or value <= 0):
                raise ValueError(
                    f"The limit {field.name} must be a positive whole number, but it is "
                    f"{value!r}. Give a number such as {field.default}."
                )


@dataclasses.dataclass(frozen=True)
class Protection:
    """One of the sandbox's protections, and whether it is active on this machine.

    Introduced in the book page "Instructor's guide".
    """

    name: str
    active: bool
    detail: str

    def __str__(self):
        mark = "on " if self.active else "OFF"
        return f"[{mark}] {self.name}: {self.detail}"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# Folders every kernel gets empty and of its own (a tmpfs in its mount namespace).
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
PID_NAMESPACE = ("--pid", "--fork", "--kill-child", "--mount-proc")


@functools.cache
def _namespace_prefix(network: bool = False) -> tuple[str, ...] | None:
    """The ``unshare`` command that gives the kernel private namespaces, if it works here.

    A private mount namespace always (to hide the course and give it its own /tmp), a
    private PID namespace when the system allows it (every process the kernel starts
    ends with it), and a private network namespace unless ``network``. Not root:
    inside a user namespace of its own.
    """
    unshare = shutil.which("unshare")
    if not unshare or not sys.platform.startswith("linux"):
        return None
    prefix = [unshare, "--mount", "--propagation", "private"]
    if not network:
        prefix.insert(1, "--net")
    if not _is_root():
        prefix[1:1] = ["--user", "--map-root-user"]
    for candidate in ([*prefix, *PID_NAMESPACE], prefix):
        try:
            probe = subprocess.run([*candidate, "true"], capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if probe.returncode == 0:
            return tuple(candidate)
    return None


def _pid_namespace(prefix) -> bool:
    return prefix is not None and "--pid" in prefix


def available_protections(limits: Limits | None = None) -> list[Protection]:
    """Which protections the sandbox can give on this machine, as this user.

    Introduced in the book page "Instructor's guide".
    """
    limits = check_type("limits", limits or Limits(), Limits, "a Limits(...)")
    namespaces = _namespace_prefix(limits.network) is not None
    pids = _pid_namespace(_namespace_prefix(limits.network))
    root = _is_root()
    linux = sys.platform.startswith("linux")
    why_ns = ("needs Linux with the `unshare` command and namespaces allowed "
              "(root, or unprivileged user namespaces)")
    return [
        Protection("own temporary folder", True,
                   "each submission runs in a fresh copy holding only its own files"),
        Protection("time limit per cell", True, f"{limits.cell_timeout} s, then interrupted"),
        Protection("total time limit", True, f"{limits.total_timeout} s per submission"),
        Protection("output cap", True, f"{limits.output_bytes:_} bytes per notebook"),
        Protection("memory limit", linux, f"{limits.memory_mb} MB of address space (RLIMIT_AS)"
                   if linux else "needs Linux resource limits"),
        Protection("CPU-time limit", linux, f"{limits.cpu_seconds} s (RLIMIT_CPU)"
                   if linux else "needs Linux resource limits"),
        Protection("process limit", namespaces,
                   f"{limits.processes} processes and threads (RLIMIT_NPROC, "
                   + ("own user id)" if root else "own user namespace)")
                   if namespaces else why_ns + ": the limit counts all processes of a user "
                   "id, so the kernel needs a user id or user namespace of its own"),
        Protection("unprivileged kernel user", root and namespaces,
                   f"kernels run as user ids {KERNEL_UID_BASE}+" if root and namespaces else
                   "only as root: the kernel runs with your own user id"),
        Protection("course files hidden", namespaces,
                   "course directory and grader's home hidden in a private mount namespace"
                   if namespaces else why_ns),
        Protection("private /tmp and home", namespaces,
                   "each kernel gets an empty /tmp, /var/tmp, /dev/shm and home of its own, "
                   "gone when it ends" if namespaces else why_ns),
        Protection("no process outlives its submission", pids or (root and namespaces),
                   "private PID namespace: every process the kernel starts ends with it"
                   if pids else ("the kernel's user id is emptied of processes (root only)"
                                 if root and namespaces else why_ns + " and PID namespaces")),
        Protection("no network", namespaces or limits.network,
                   "private network namespace (no interfaces)" if namespaces and not
                   limits.network else ("network allowed by --allow-network"
                                        if limits.network else why_ns)),
    ]


# --------------------------------------------------------------------------------------
# The launcher: runs as the first process inside the namespaces, then becomes the kernel.


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None):
    libc = ctypes.CDLL(None, use_errno=True)
    result = libc.mount(
        source.encode(), target.encode(), fstype.encode() if fstype else None,
        ctypes.c_ulong(flags), data.encode() if data else None,
    )
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


MS_BIND, MS_MOVE, MS_REC = 4096, 8192, 16384


def _mount_plan(hide: list[str], needed: list[str], uid: int,
                private=()) -> dict[str, set[str]]:
    """Folders to cover with an empty file system, and the children to keep in each.

    Covers every folder in ``hide`` and ``private`` and, on the way to each ``needed``
    path (the Python installation, the submission's own folder), the first folder the
    kernel's user ``uid`` could not enter (the grader's home), keeping the child that
    leads to the needed path.
    """
    plan: dict[str, set[str]] = {h: set() for h in [*hide, *private] if os.path.isdir(h)}
    for path in needed:
        parts = Path(path).resolve().parts
        for i in range(1, len(parts) - 1):
            directory = str(Path(*parts[: i + 1]))
            child = str(Path(*parts[: i + 2]))
            info = os.stat(directory)
            traversable = info.st_mode & stat.S_IXOTH or (
                info.st_uid == uid and info.st_mode & stat.S_IXUSR)
            if directory in plan or not traversable:
                plan.setdefault(directory, set()).add(child)
    return plan


def _launch(spec_path: str, command: list[str]) -> None:
    spec = json.loads(Path(spec_path).read_text())
    uid = spec.get("uid")
    if spec.get("namespaces"):
        private = [p for p in PRIVATE_TMP if os.path.isdir(p)]
        plan = _mount_plan(spec["hide"], spec["needed"],
                           uid if uid is not None else os.getuid(), private)
        staging = _staging_folder([*spec["needed"], *spec["hide"], *private])
        moved = []
        for directory, children in sorted(plan.items()):
            if not os.path.isdir(directory):
                continue  # inside a folder covered already
            for child in sorted(children):
                holder = os.path.join(staging, str(len(moved)))
                os.mkdir(holder)
                _mount(child, holder, None, MS_BIND | MS_REC, None)
                moved.append((holder, os.path.join(directory, os.path.basename(child))))
            options = (f"size={spec['tmp_mb']}m,mode=1777" if directory in private
                       else "size=64k,mode=0711")
            _mount("tmpfs", directory, "tmpfs", 0, options)
            for holder, target in moved:
                if os.path.dirname(target) == directory:
                    os.makedirs(target, exist_ok=True)
                    _mount(holder, target, None, MS_MOVE, None)
    if os.getpid() == 1:  # the first process of a PID namespace: stay, as its init
        kernel = os.fork()
        if kernel:
            sys.exit(_be_init(kernel))
        # Its parent is this init (PID 1), not the grader: ipykernel must not watch it.
        os.environ["JPY_PARENT_PID"] = "1"
    import resource

    for name, value in spec["rlimits"].items():
        hard = value + 5 if name == "RLIMIT_CPU" else value
        resource.setrlimit(getattr(resource, name), (value, hard))
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.chdir(spec["cwd"])
    os.execvp(command[0], command)


def _staging_folder(used: list[str]) -> str:
    """A folder outside everything covered, on a tmpfs of its own: nothing reaches the host.

    The folders kept inside covered ones wait there while their parent is covered.
    """
    for candidate in ("/mnt", "/media", "/srv", "/opt"):
        if os.path.isdir(candidate) and not any(
                u == candidate or u.startswith(candidate + "/") for u in used):
            _mount("tmpfs", candidate, "tmpfs", 0, "size=64k,mode=0700")
            return candidate
    return tempfile.mkdtemp(prefix="rml-stage-")


def _be_init(kernel: int) -> int:
    """Reap every process of the namespace until the kernel ends; then end them all.

    When this process (PID 1 of the namespace) exits, the system kills every process
    left in it. The exit status tells the grader how the kernel ended: its own exit
    code, or 128 + the signal that killed it.
    """
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_IGN)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        if pid == kernel:
            code = os.waitstatus_to_exitcode(status)
            return 128 - code if code < 0 else code


# --------------------------------------------------------------------------------------
# The kernel manager and the executing preprocessor.


def _kernel_classes():
    """Build the classes lazily: jupyter_client and nbgrader are heavy to import."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat.v4 import new_output
    from nbgrader.preprocessors import Execute
    from traitlets import Bool, Dict, Integer, Unicode

    class SandboxedKernelManager(AsyncKernelManager):
        """Starts the kernel through the launcher, talking over Unix sockets."""

        launcher_prefix = Unicode("").tag(config=True)  # JSON list, set per submission
        kernel_uid = Integer(-1).tag(config=True)  # owner of the connection file

        def write_connection_file(self, **kwargs):
            super().write_connection_file(**kwargs)
            if self.kernel_uid >= 0:
                os.chown(self.connection_file, self.kernel_uid, self.kernel_uid)

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = [*super().format_kernel_cmd(extra_arguments), *GUARD_ARGUMENTS]
            return [*json.loads(self.launcher_prefix), *cmd] if self.launcher_prefix else cmd

    class SandboxedExecute(Execute):
        """nbgrader's Execute with a total time limit, an output cap and dead-kernel grades."""

        total_timeout = Integer(900).tag(config=True)
        output_bytes = Integer(2_000_000).tag(config=True)
        kernel_env = Dict().tag(config=True)
        pid_namespace = Bool(False).tag(config=True)

        def preprocess(self, nb, resources=None, km=None):
            self.events: list[str] = []
            self._output_size = 0
            self._capped = False
            self._current = None
            self._deadline_hit = False
            self._nonces: dict[int, str] = {}
            self._acks: dict[int, dict] = {}
            try:
                nb, resources = super().preprocess(nb, resources, km=km)
            except DeadKernelError:
                self._mark_not_run(nb)
            finally:
                timer = getattr(self, "_watchdog", None)
                if timer is not None:
                    timer.cancel()
            self._check_tests_ran(nb)
            return nb, resources

        def _check_tests_ran(self, nb):
            """A test cell that did not answer with its nonce did not run as written: 0."""
            changes = set()
            for index, nonce in self._nonces.items():
                cell = nb.cells[index]
                ack = self._acks.get(index) or {}
                changes.update(ack.get("changed", []))
                errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                if ack.get("nonce") == nonce or errors:
                    continue
                name = _grade_meta(cell).get("grade_id", f"cell {index}")
                message = (f"the test cell `{name}` did not run as written (student code "
                           "changed how the notebook runs, or stopped the tests): 0 points")
                self.events.append(f"tests not run: {message}")
                cell.outputs = [new_output("error", ename="TestNotRun", evalue=message,
                                           traceback=[f"TestNotRun: {message}"])]
            if changes:
                self.events.append(
                    "tampering: student code changed how later cells run ("
                    + "; ".join(sorted(changes)) + "); undone before every test cell")

        async def async_start_new_kernel(self, **kwargs):
            env = {**os.environ, **self.kernel_env}
            kwargs.setdefault("env", env)
            await super().async_start_new_kernel(**kwargs)
            self._watchdog = threading.Timer(self.total_timeout, self._stop_kernel)
            self._watchdog.daemon = True
            self._watchdog.start()

        start_new_kernel = run_sync(async_start_new_kernel)

        def _stop_kernel(self):
            self._deadline_hit = True
            process = getattr(self.km.provisioner, "process", None) if self.km else None
            if process is not None and process.poll() is None:
                process.kill()

        async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                     store_history=True):
            self._current = cell_index
            source = cell.source
            if _is_test_cell(cell) and source.strip():
                self._nonces[cell_index] = secrets.token_hex(16)
                cell.source = f"{cell_guard.MARK}{self._nonces[cell_index]}\n{source}"
            try:
                return await super().async_execute_cell(cell, cell_index, execution_count,
                                                        store_history)
            except CellTimeoutError:
                message = (f"the cell did not finish within {self.timeout} s "
                           "(or kept printing after it ended)")
                self.events.append(f"time limit per cell: cell {cell_index}: {message}")
                cell.outputs.append(new_output("error", ename="CellTimeoutError",
                                               evalue=message,
                                               traceback=[f"CellTimeoutError: {message}"]))
                return cell
            finally:
                cell.source = source

        execute_cell = run_sync(async_execute_cell)

        def output(self, outs, msg, display_id, cell_index):
            data = msg.get("content", {}).get("data") or {}
            if cell_guard.ACK_MIME in data:  # the guard's answer: recorded, not shown
                if msg.get("msg_type") == "display_data":
                    self._acks[cell_index] = data[cell_guard.ACK_MIME]
                return None
            size = len(json.dumps(msg.get("content", {}), default=str))
            self._output_size += size
            if self._output_size > self.output_bytes:
                if not self._capped:
                    self._capped = True
                    self.events.append(
                        f"output cap: the notebook printed more than {self.output_bytes:_} "
                        f"bytes (cell {cell_index}); the rest of the output was dropped")
                    outs.append(new_output("stream", name="stderr", text=(
                        f"\n... output stopped: more than {self.output_bytes:_} bytes ...\n")))
                return None
            return super().output(outs, msg, display_id, cell_index)

        def on_cell_executed(self, **kwargs):
            super().on_cell_executed(**kwargs)
            if kwargs["execute_reply"]["content"].get("ename") == "CellTimeoutError":
                self.events.append(
                    f"time limit per cell: cell {kwargs['cell_index']} did not finish within "
                    f"{self.timeout} s and was interrupted")

        def _death_reason(self) -> str:
            if self._deadline_hit:
                return (f"the total time limit of {self.total_timeout} s per submission was "
                        "reached")
            process = getattr(self.km.provisioner, "process", None) if self.km else None
            code = process.poll() if process is not None else None
            if code is None:
                return "the kernel stopped answering"
            if code > 128 and self.pid_namespace:  # the namespace's init: 128 + signal
                code = 128 - code
            if code < 0:
                name = signal.Signals(-code).name
                hints = {"SIGXCPU": "the CPU-time limit was reached",
                         "SIGKILL": "it was killed (by the code itself, or out of memory)",
                         "SIGXFSZ": "a file grew past the file-size limit",
                         "SIGSEGV": "it crashed"}
                return f"the kernel died from {name}: {hints.get(name, 'a signal')}"
            return f"the kernel process exited with code {code} (for example os._exit)"

        def _mark_not_run(self, nb):
            reason = self._death_reason()
            self.events.append(f"kernel stopped at cell {self._current}: {reason}")
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or (self._current is not None
                                                and index < self._current):
                    continue
                cell.outputs = [o for o in cell.get("outputs", []) if index == self._current]
                cell.outputs.append(new_output(
                    "error", ename="KernelStopped",
                    evalue=f"this cell did not finish: {reason}",
                    traceback=[f"KernelStopped: this cell did not finish: {reason}"]))

    return SandboxedKernelManager, SandboxedExecute


# Kernel options: the guard loads before any cell runs, and the kernel keeps no history
# file (which would hold the hidden tests' source).
GUARD_ARGUMENTS = ("--IPKernelApp.extensions=rmlkit._cell_guard",
                   "--HistoryManager.enabled=False")


def _is_test_cell(cell) -> bool:
    meta = _grade_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) \
        and not meta.get("solution")


def _become_subreaper() -> None:
    """Orphans of the kernel (a fork bomb's children) become this process's children."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _end_kernel(km) -> None:
    """Kill the kernel's launcher and its session: in a PID namespace, everything in it."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is None:
        return
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)  # started in a session of its own
    with contextlib.suppress(OSError):
        process.kill()
    with contextlib.suppress(Exception):
        process.wait(timeout=10)


def _reap_children(seconds: float = 3.0) -> None:
    """Collect the exit status of finished children, so no zombie counts as a process."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def _kill_user_processes(uid: int) -> None:
    """End every process of a kernel user id (what a fork bomb leaves behind)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


@contextlib.contextmanager
def _kernel_uid(hint: int = 0):
    """Hold a free kernel user id for as long as the block runs (root only)."""
    import fcntl

    UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
    for offset in range(KERNEL_UID_COUNT):
        uid = KERNEL_UID_BASE + (hint + offset) % KERNEL_UID_COUNT
        handle = open(UID_LOCKS / str(uid), "w")  # noqa: SIM115 (held until the block ends)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        try:
            _kill_user_processes(uid)  # anything left by a grading that crashed
            yield uid
        finally:
            handle.close()
        return
    raise RuntimeError(f"all {KERNEL_UID_COUNT} kernel user ids are in use; "
                       "run fewer gradings at once")


def execute_in_sandbox(nb, files_dir: str | os.PathLike, *, limits: Limits, config,
                       hide: list[str], slot: int = 0):
    """Execute notebook ``nb`` (nbgrader's Execute) in a sandbox made from ``files_dir``.

    Returns the executed notebook and a list of events (limits hit, kernel deaths).
    ``hide`` lists folders the kernel must not see (the course directory).

    Introduced in the book page "Instructor's guide".
    """

    namespaces = _namespace_prefix(limits.network)
    with contextlib.ExitStack() as stack:
        uid = stack.enter_context(_kernel_uid(slot)) if namespaces and _is_root() else None
        return _execute(nb, files_dir, limits, config, hide, uid, namespaces)


def _execute(nb, files_dir, limits, config, hide, uid, namespaces):
    from traitlets.config import Config

    km_class, execute_class = _kernel_classes()
    sandbox = tempfile.mkdtemp(prefix="rml-")
    try:
        work = os.path.join(sandbox, "work")
        shutil.copytree(files_dir, work, ignore=shutil.ignore_patterns("*.ipynb"))
        home = os.path.join(sandbox, "home")
        os.mkdir(home)
        rlimits = {"RLIMIT_AS": limits.memory_mb * 2**20, "RLIMIT_CPU": limits.cpu_seconds,
                   "RLIMIT_FSIZE": limits.file_mb * 2**20, "RLIMIT_CORE": 0}
        if uid is not None or (namespaces is not None and not _is_root()):
            # As root the kernel has a user id of its own; as a normal user, a user
            # namespace of its own (the limit counts only the processes inside it).
            rlimits["RLIMIT_NPROC"] = limits.processes
        if uid is not None:
            for directory, _, files in os.walk(sandbox):
                os.chown(directory, uid, uid)
                for name in files:
                    os.chown(os.path.join(directory, name), uid, uid)
        needed = [os.path.realpath(sys.executable), sys.prefix, sys.base_prefix,
                  str(Path(__file__).resolve().parents[1]), os.path.realpath(sandbox)]
        spec = {"namespaces": namespaces is not None, "uid": uid, "rlimits": rlimits,
                "cwd": work, "needed": needed, "hide": [os.path.realpath(h) for h in hide],
                "tmp_mb": limits.file_mb}
        spec_path = os.path.join(sandbox, "spec.json")
        Path(spec_path).write_text(json.dumps(spec))
        os.chmod(spec_path, 0o600)
        prefix = [sys.executable, "-m", "rmlkit.sandbox", "launch", spec_path, "--"]
        if namespaces:
            prefix = [*namespaces, *prefix]
        cfg = Config(config)
        cfg.SandboxedKernelManager.launcher_prefix = json.dumps(prefix)
        cfg.SandboxedKernelManager.kernel_uid = -1 if uid is None else uid
        cfg.SandboxedKernelManager.transport = "ipc"
        cfg.SandboxedKernelManager.ip = os.path.join(sandbox, "k")
        cfg.SandboxedExecute.timeout = limits.cell_timeout
        cfg.SandboxedExecute.total_timeout = limits.total_timeout
        cfg.SandboxedExecute.output_bytes = limits.output_bytes
        cfg.SandboxedExecute.pid_namespace = _pid_namespace(namespaces)
        env = {"HOME": home, "MPLCONFIGDIR": os.path.join(home, ".mpl"),
               "IPYTHONDIR": os.path.join(home, ".ipython"),
               "JUPYTER_CONFIG_DIR": os.path.join(home, ".jupyter"),
               "JUPYTER_DATA_DIR": os.path.join(home, ".jupyter", "data"),
               "JUPYTER_RUNTIME_DIR": os.path.join(home, ".jupyter", "runtime"),
               "TMPDIR": home, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1"}
        cfg.SandboxedExecute.kernel_env = env
        executor = execute_class(config=cfg)
        km = km_class(config=cfg, kernel_name=nb.metadata.get("kernelspec", {}).get(
            "name", "python3"))
        km.connection_file = os.path.join(sandbox, "kernel.json")
        resources = {"metadata": {"path": work}}
        started = time.monotonic()
        _become_subreaper()
        try:
            nb, _ = executor.preprocess(nb, resources, km=km)
        finally:
            _end_kernel(km)  # nbclient leaves alone a kernel it was handed
            if uid is not None:
                _kill_user_processes(uid)
            _reap_children()
        events = list(executor.events)
        if time.monotonic() - started > limits.total_timeout:
            events.append(f"total time: {time.monotonic() - started:.0f} s")
        return nb, events
    finally:
        shutil.rmtree(sandbox, ignore_errors=True)


# --------------------------------------------------------------------------------------
# Tampering: compare a submission with the released notebook.

SUSPICIOUS_NAMES = {
    "AssertionError": "redefines AssertionError, which the tests raise",
    "__builtins__": "touches __builtins__",
    "builtins": "imports or changes the builtins module",
    "get_ipython": "reaches into the IPython shell (it can hide test errors)",
    "sys.excepthook": "replaces the exception hook",
    "sys.modules": "changes the module table",
    "set_custom_exc": "installs a custom exception handler",
}


def _grade_meta(cell) -> dict:
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def _student_code_findings(source: str, protected: set[str]) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # IPython magics or a syntax error: the kernel reports it
    findings = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.append(sub.id)
                    elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
                        names.append(f"{sub.value.id}.{sub.attr}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "builtins" or (alias.asname or "") in {"AssertionError"}:
                    names.append("builtins")
        elif isinstance(node, ast.Name) and node.id in {"__builtins__", "get_ipython"}:
            names.append(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            dotted = f"{node.value.id}.{node.attr}"
            if dotted in {"sys.excepthook", "sys.modules"} or node.attr == "set_custom_exc":
                names.append(dotted if dotted in SUSPICIOUS_NAMES else node.attr)
        for name in names:
            root = name.split(".")[0]
            if name in SUSPICIOUS_NAMES:
                findings.append(SUSPICIOUS_NAMES[name])
            elif root in protected and (name != root or not isinstance(
                    node, (ast.Import, ast.ImportFrom))):
                findings.append(f"redefines `{name}`, which the tests use")
    return sorted(set(findings))


def _names_used(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _names_defined(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def detect_tampering(submitted, released) -> list[str]:
    """What a submission changed that students are not meant to change.

    Compares the submitted notebook with the released one: grade and locked cells
    deleted, edited, or with changed nbgrader metadata or type; cells that claim
    grade ids the assignment does not have; and student code that redefines the test
    helpers (functions and modules the locked cells define and the tests use),
    ``AssertionError``, builtins, or hooks that can hide a failing test.
    Returns one sentence per finding (empty when nothing was found).

    Introduced in the book page "Instructor's guide".
    """
    check_type("submitted", submitted, dict, "a notebook (what nbformat.read returns)")
    check_type("released", released, dict, "a notebook (what nbformat.read returns)")
    findings = []
    released_cells = {_grade_meta(c).get("grade_id"): c for c in released.cells
                      if _grade_meta(c).get("grade_id")}
    submitted_cells: dict[str, object] = {}
    for cell in submitted.cells:
        grade_id = _grade_meta(cell).get("grade_id")
        if grade_id:
            if grade_id in submitted_cells:
                findings.append(f"cell `{grade_id}` appears more than once")
            submitted_cells[grade_id] = cell
    for grade_id, original in released_cells.items():
        meta = _grade_meta(original)
        protected = meta.get("grade") or meta.get("locked")
        cell = submitted_cells.get(grade_id)
        if cell is None:
            if protected:
                findings.append(f"{'test' if meta.get('grade') else 'locked'} cell "
                                f"`{grade_id}` was deleted")
            continue
        if cell.cell_type != original.cell_type:
            findings.append(f"cell `{grade_id}` changed type to {cell.cell_type}")
        if _grade_meta(cell) != meta:
            changed = sorted(k for k in set(meta) | set(_grade_meta(cell))
                             if meta.get(k) != _grade_meta(cell).get(k))
            findings.append(f"cell `{grade_id}` has changed nbgrader metadata "
                            f"({', '.join(changed)})")
        if protected and not meta.get("solution") and cell.source != original.source:
            findings.append(f"{'test' if meta.get('grade') else 'locked'} cell "
                            f"`{grade_id}` was edited")
    for grade_id in submitted_cells.keys() - released_cells.keys():
        findings.append(f"a cell claims grade id `{grade_id}`, which the assignment lacks")
    # Names the tests rely on: defined in locked cells, used in grade cells.
    locked_sources = [c.source for c in released.cells if c.cell_type == "code"
                      and _grade_meta(c).get("locked") and not _grade_meta(c).get("solution")]
    defined = set().union(*map(_names_defined, locked_sources)) if locked_sources else set()
    used = set().union(*(_names_used(c.source) for c in released.cells
                         if c.cell_type == "code" and _grade_meta(c).get("grade")))
    protected_names = defined & used
    for cell in submitted.cells:
        meta = _grade_meta(cell)
        if cell.cell_type != "code" or (meta.get("locked") and not meta.get("solution")
                                        and meta.get("grade_id") in released_cells):
            continue  # locked cells are restored from the source before grading
        where = meta.get("grade_id") or "a cell the student added"
        findings += [f"{where}: {f}" for f in _student_code_findings(cell.source,
                                                                     protected_names)]
    return findings


def _main(argv: list[str]) -> None:
    if len(argv) >= 3 and argv[0] == "launch" and "--" in argv:
        split = argv.index("--")
        _launch(argv[1], argv[split + 1:])
    elif argv[:1] == ["protections"]:
        for protection in available_protections():
            print(protection)
    else:
        sys.exit("usage: python -m rmlkit.sandbox launch SPEC -- KERNEL COMMAND | protections")


if __name__ == "__main__":
    _main(sys.argv[1:])
