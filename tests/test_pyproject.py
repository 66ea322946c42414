"""pyproject.toml: the built wheel, installed into a fresh virtual environment that holds
nothing but the declared dependencies (and what they in turn require), imports every
module of rmlkit and runs an audit. Offline: the dependencies are the ones already
installed in this environment, linked in; nothing is downloaded."""

from __future__ import annotations

import importlib.metadata as metadata
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

SCRIPT = """
import importlib, pkgutil, sys, warnings
import numpy as np
import rmlkit
assert rmlkit.__file__.startswith(sys.prefix), rmlkit.__file__  # the wheel, not src/
names = [m.name for m in pkgutil.walk_packages(rmlkit.__path__, "rmlkit.")]
for name in names:
    importlib.import_module(name)
from rmlkit.audit import audit
rng = np.random.default_rng(0)
g = rng.choice(["A", "B"], 1000)
y = rng.integers(0, 2, 1000)
s = rng.random(1000)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    r = audit(y, scores=s, threshold=0.5, sensitive_features=g, n_bootstrap=20)
print(len(names), r.estimate("false_positive_rate", "A"))
"""


def _requirements(dist, extras=()) -> list[Requirement]:
    """What a distribution requires, with the extras asked of it (``bleach[css]``)."""
    out = []
    for text in dist.requires or []:
        req = Requirement(text)
        if req.marker is None or any(req.marker.evaluate({"extra": e})
                                     for e in ("", *extras)):
            out.append(req)
    return out


def _closure(requirements) -> dict[str, metadata.Distribution]:
    """The installed distributions the requirements need, transitively."""
    found, seen, todo = {}, set(), list(requirements)
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        key = (name, tuple(sorted(req.extras)))
        if key in seen:
            continue
        seen.add(key)
        found[name] = dist = metadata.distribution(name)
        todo.extend(_requirements(dist, req.extras))
    return found


def _link_top_level(dist, target: Path) -> None:
    """Link every top-level file or folder a distribution installed into ``target``."""
    site = Path(dist.locate_file(""))
    for entry in {Path(str(f)).parts[0] for f in dist.files or []}:
        source = site / entry
        if entry.startswith("..") or entry == "__pycache__" or not source.exists():
            continue  # scripts in bin/, and the like
        link = target / entry
        if not link.exists():
            link.symlink_to(source)


@pytest.mark.slow
def test_the_wheel_installs_with_its_declared_dependencies_only(tmp_path):
    source = tmp_path / "source"  # a copy, so that the build leaves the checkout alone
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("rmlkit-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        declared = [Requirement(line.split(":", 1)[1].strip())
                    for line in z.read(meta).decode().splitlines()
                    if line.startswith("Requires-Dist:")]
    assert declared, "the wheel declares no dependencies"
    deps = tmp_path / "deps"
    deps.mkdir()
    for dist in _closure(declared).values():
        _link_top_level(dist, deps)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=600)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "declared_dependencies.pth").write_text(str(deps) + "\n")
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--disable-pip-version-check", str(wheel)], capture_output=True, text=True,
        timeout=600)
    assert install.returncode == 0, install.stderr
    run = subprocess.run([python, "-c", SCRIPT], capture_output=True, text=True, timeout=900,
                         cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg",
                                            "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr[-3000:]
    modules, fpr = run.stdout.split()
    assert int(modules) > 10 and 0 <= float(fpr) <= 1


def _imported_top_level_names() -> set[str]:
    import ast

    names = set()
    for path in (ROOT / "src" / "rmlkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"rmlkit"}


def test_every_imported_package_is_declared():
    """Not only reachable through another dependency: named in pyproject.toml itself."""
    import tomllib

    declared = {canonicalize_name(Requirement(r).name) for r in tomllib.loads(
        (ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    providers = metadata.packages_distributions()
    missing = {name: providers.get(name) for name in _imported_top_level_names()
               if not {canonicalize_name(d) for d in providers.get(name, [])} & declared}
    assert not missing, f"imported but not in pyproject.toml: {missing}"
    # pandas' to_markdown (model cards, datasheets) needs tabulate
    assert "tabulate" in declared
