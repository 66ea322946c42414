"""Test cells run as written: an IPython extension that the grading kernel loads first.

Student code runs in the same Python process as the tests, so it can change how IPython
runs later cells: an input transformer that turns every test into ``pass``, an AST
transformer that deletes ``assert`` statements, an event callback that clears an error,
a patched ``run_cell``, a trace function that jumps over lines, a replaced builtin.

When the kernel starts (before any student code), this extension takes a snapshot of
everything of that kind. The grader marks each test cell it sends with a first line
``#rmlkit-test <nonce>`` (a new random nonce per cell and per run). For a marked cell
the extension:

1. notes what differs from the snapshot (reported to the instructor as tampering);
2. puts the snapshot back, runs the test cell as written, removes the test's source
   from the kernel's history (``In``, ``_i``, the line cache), and then puts the
   student's own state back (so an honest student's plots keep working);
3. answers with a display message holding the nonce, which the grader takes out of
   the outputs.

A test cell without that answer did not run under the guard (student code replaced
the guard itself, or its cell never ran): the grader gives it 0 points and says why.
This is a check on behaviour, whatever name the student code used to reach IPython.

Its limit: the guard lives in the student's process. Code that rewrites the guard's
own snapshot can still fool it; the nonce only proves that the guard's code answered.

Introduced in the book page "Instructor's guide" (Grading: what the sandbox protects against).
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import linecache
import sys
import threading
import types

__all__ = ["MARK", "ACK_MIME", "load_ipython_extension"]  # a private module: IPython loads it

MARK = "#rmlkit-test "
ACK_MIME = "application/x-rmlkit-test-ran+json"

# Modules whose functions and classes decide how a cell runs.
_MODULES = [
    "IPython.core.interactiveshell", "IPython.core.inputtransformer2",
    "IPython.core.compilerop", "IPython.core.events", "IPython.core.displayhook",
    "IPython.core.ultratb", "IPython.core.history", "IPython.core.builtin_trap",
    "ipykernel.ipkernel", "ipykernel.kernelbase", "ipykernel.zmqshell",
    "ipykernel.displayhook", "ipykernel.iostream", "ipykernel.compiler", "codeop", "ast",
    "traceback", "linecache", "inspect", "IPython", "ipykernel",
]
# Names IPython itself adds to and removes from builtins while a cell runs.
_TRAP_BUILTINS = {"exit", "quit", "get_ipython", "_", "__", "___", "display"}
_SYS_HOOKS = ["excepthook", "displayhook", "breakpointhook", "stdout", "stderr", "stdin"]


def _functions_of(namespace: dict) -> dict:
    return {key: value.__code__ for key, value in namespace.items()
            if hasattr(value, "__code__") and not isinstance(value, type)}


class _State:
    """What decides how the next cell runs, captured so that it can be put back."""

    def __init__(self, shell, kernel, classes, modules):
        self.trace, self.profile = sys.gettrace(), sys.getprofile()
        self.thread_hooks = (getattr(threading, "_trace_hook", None),
                             getattr(threading, "_profile_hook", None))
        self.sys_hooks = {name: getattr(sys, name, None) for name in _SYS_HOOKS}
        self.builtins = dict(vars(builtins))
        self.sys_modules = {name: sys.modules.get(name) for name in modules}
        self.modules = {name: dict(vars(module)) for name, module in modules.items()}
        self.module_code = {name: _functions_of(vars(module)) for name, module in
                            modules.items()}
        self.classes = {cls: dict(vars(cls)) for cls in classes}
        self.class_code = {cls: _functions_of(vars(cls)) for cls in classes}
        manager = shell.input_transformer_manager
        self.manager = manager
        self.manager_lists = {name: list(getattr(manager, name)) for name in
                              ("cleanup_transforms", "line_transforms", "token_transformers")}
        self.post = list(shell.input_transformers_post)
        self.ast = list(shell.ast_transformers)
        self.events = {name: list(callbacks) for name, callbacks in
                       shell.events.callbacks.items()}
        self.shell_attrs = {name: getattr(shell, name, None) for name in
                            ("custom_exceptions", "CustomTB", "compile", "displayhook",
                             "display_pub", "InteractiveTB", "SyntaxTB", "display_trap",
                             "builtin_trap", "events", "history_manager")}
        self.kernel_attrs = {"shell_handlers": dict(kernel.shell_handlers),
                             "shell": kernel.shell}
        self.overrides = {id(obj): _method_overrides(obj) for obj in (shell, kernel)}

    def apply(self, shell, kernel):
        sys.settrace(self.trace)
        sys.setprofile(self.profile)
        threading._trace_hook, threading._profile_hook = self.thread_hooks
        for name, value in self.sys_hooks.items():
            setattr(sys, name, value)
        space = vars(builtins)
        for key in [k for k in space if k not in self.builtins and k not in _TRAP_BUILTINS]:
            del space[key]
        space.update({k: v for k, v in self.builtins.items() if k not in _TRAP_BUILTINS})
        for name, module in self.sys_modules.items():
            if module is not None:
                sys.modules[name] = module
        for name, saved in self.modules.items():
            module = self.sys_modules[name]
            _restore_namespace(vars(module), saved, lambda k, v, m=module: setattr(m, k, v),
                               lambda k, m=module: delattr(m, k), keep=types.ModuleType)
            _restore_code(saved, self.module_code[name])
        for cls, saved in self.classes.items():
            _restore_namespace(vars(cls), saved, lambda k, v, c=cls: setattr(c, k, v),
                               lambda k, c=cls: delattr(c, k))
            _restore_code(saved, self.class_code[cls])
        for obj in (shell, kernel):
            keep = self.overrides[id(obj)]
            for key, value in _method_overrides(obj).items():
                if keep.get(key) is not value:
                    del vars(obj)[key]
            vars(obj).update(keep)
        for name, value in self.shell_attrs.items():
            setattr(shell, name, value)
        kernel.shell_handlers.clear()
        kernel.shell_handlers.update(self.kernel_attrs["shell_handlers"])
        kernel.shell = self.kernel_attrs["shell"]
        shell.input_transformer_manager = self.manager
        for name, values in self.manager_lists.items():
            getattr(self.manager, name)[:] = values
        shell.input_transformers_post[:] = self.post
        shell.ast_transformers = list(self.ast)
        for name in list(shell.events.callbacks):
            shell.events.callbacks[name][:] = self.events.get(name, [])

    def differences(self, other: _State) -> list[str]:
        """What ``other`` (the state before a test) changed, in words, for the report."""
        found = []
        if other.trace is not self.trace or other.profile is not self.profile:
            found.append("a trace or profile function (sys.settrace/sys.setprofile)")
        for name, value in other.sys_hooks.items():
            if value is not self.sys_hooks[name]:
                found.append(f"sys.{name}")
        changed = [k for k in set(self.builtins) | set(other.builtins)
                   if k not in _TRAP_BUILTINS
                   and self.builtins.get(k) is not other.builtins.get(k)]
        if changed:
            found.append(f"builtins ({', '.join(sorted(changed)[:5])})")
        if any(getattr(other.manager, n) != v for n, v in self.manager_lists.items()) \
                or other.manager is not self.manager:
            found.append("IPython's input transformers")
        if other.post != self.post:
            found.append("IPython's input transformers (input_transformers_post)")
        if other.ast != self.ast:
            found.append("IPython's AST transformers")
        for name, callbacks in other.events.items():
            added = [c for c in callbacks if c not in self.events.get(name, [])
                     and not _from_a_library(c)]
            if added:
                found.append(f"IPython event callbacks ({name})")
        for cls, saved in other.classes.items():
            base = self.classes[cls]
            keys = [k for k in set(saved) | set(base) if saved.get(k) is not base.get(k)]
            keys += [k for k, code in other.class_code[cls].items()
                     if self.class_code[cls].get(k) is not code and k not in keys]
            if keys:
                found.append(f"{cls.__name__}.{sorted(keys)[0]}")
        for name, saved in other.modules.items():
            base = self.modules[name]
            keys = [k for k in set(saved) | set(base) if saved.get(k) is not base.get(k)
                    and not k.startswith("__")]
            if keys:
                found.append(f"{name}.{sorted(keys)[0]}")
        for name, value in other.shell_attrs.items():
            if value is not self.shell_attrs[name]:
                found.append(f"the shell's {name}")
        if other.kernel_attrs["shell_handlers"] != self.kernel_attrs["shell_handlers"]:
            found.append("the kernel's message handlers")
        for key, overrides in other.overrides.items():
            if overrides.keys() != self.overrides[key].keys():
                found.append("a method of the shell or kernel")
        return sorted(set(found))


def _from_a_library(callback) -> bool:
    module = getattr(callback, "__module__", "") or ""
    return module.split(".")[0] in {"matplotlib_inline", "matplotlib", "IPython", "ipykernel",
                                    "ipywidgets", "comm", "altair", "plotly", "tqdm"}


def _method_overrides(obj) -> dict:
    """Instance attributes that hide a method of the object's class."""
    cls = type(obj)
    return {k: v for k, v in vars(obj).items()
            if callable(getattr(cls, k, None)) and not k.startswith("_trait")}


def _restore_namespace(current, saved, set_, delete, keep=()):
    """Make ``current`` hold what ``saved`` holds (added names removed, unless ``keep``)."""
    for key in [k for k in current if k not in saved and not isinstance(current[k], keep)]:
        try:
            delete(key)
        except (AttributeError, TypeError):
            pass
    for key, value in saved.items():
        if current.get(key, _MISSING) is not value:
            try:
                set_(key, value)
            except (AttributeError, TypeError):
                pass


def _restore_code(saved, codes):
    for key, code in codes.items():
        function = saved.get(key)
        if function is not None and getattr(function, "__code__", code) is not code:
            try:
                function.__code__ = code
            except (AttributeError, TypeError, ValueError):
                pass


_MISSING = object()


def _classes(shell, kernel) -> list[type]:
    from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult

    objects = [shell, kernel, shell.input_transformer_manager, shell.compile, shell.events,
               shell.displayhook, shell.display_pub, shell.history_manager]
    seen: list[type] = []
    for cls in [type(o) for o in objects] + [ExecutionInfo, ExecutionResult]:
        for base in cls.__mro__:
            if base is not object and base.__module__.split(".")[0] in {
                    "IPython", "ipykernel", "codeop"} and base not in seen:
                seen.append(base)
    return seen


def _forget(shell, code: str) -> None:
    """Remove a test cell's source from what later student code can read."""
    history = shell.history_manager
    for listing in (history.input_hist_parsed, history.input_hist_raw):
        for index in range(len(listing) - 1, max(-1, len(listing) - 3), -1):
            if listing[index].strip() and listing[index].strip() in (
                    code.strip(), shell.transform_cell(code).strip()):
                listing[index] = ""
    for key in [k for k in shell.user_ns if k in {"_i", "_ii", "_iii"} or (
            k.startswith("_i") and k[2:].isdigit())]:
        if isinstance(shell.user_ns[key], str) and shell.user_ns[key].strip() and \
                shell.user_ns[key].strip() in code:
            shell.user_ns[key] = ""
    for name, entry in list(linecache.cache.items()):
        lines = entry[2] if len(entry) > 2 else None
        if lines and "".join(lines).strip() and "".join(lines).strip() in (
                code.strip(), shell.transform_cell(code).strip()):
            del linecache.cache[name]


def load_ipython_extension(shell) -> None:
    """Take the snapshot and guard the kernel's ``execute_request`` handler."""
    kernel = shell.kernel
    modules = {}
    for name in _MODULES:
        try:
            modules[name] = importlib.import_module(name)
        except ImportError:
            continue
    classes = _classes(shell, kernel)
    original = kernel.shell_handlers["execute_request"]

    async def guarded_execute_request(stream, ident, parent):
        content = parent.get("content", {})
        code = content.get("code", "")
        if not code.startswith(MARK):
            return await original(stream, ident, parent)
        first, _, test = code.partition("\n")
        nonce = first[len(MARK):].strip()
        content["code"] = test
        student = _State(shell, kernel, classes, modules)
        try:
            changed = pristine.differences(student)
        except Exception as error:  # noqa: BLE001 (reported, never fatal)
            changed = [f"something the guard could not compare ({type(error).__name__})"]
        try:
            pristine.apply(shell, kernel)
        except Exception as error:  # noqa: BLE001
            changed.append(f"something the guard could not undo ({type(error).__name__})")
        try:
            await original(stream, ident, parent)
        finally:
            with contextlib.suppress(Exception):
                _forget(shell, test)
            with contextlib.suppress(Exception):
                student.apply(shell, kernel)
            kernel.session.send(
                kernel.iopub_socket, "display_data",
                {"data": {ACK_MIME: {"nonce": nonce, "changed": changed}}, "metadata": {},
                 "transient": {}},
                parent=parent, ident=kernel._topic("display_data"))

    kernel.shell_handlers["execute_request"] = guarded_execute_request
    pristine = _State(shell, kernel, classes, modules)
