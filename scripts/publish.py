"""Build the book as a static site for GitHub Pages (or any static host), with launch buttons.

Run through `make publish` (or directly):

    .venv/bin/python scripts/publish.py --repository-url https://github.com/OWNER/REPO \
        [--jupyterhub-url https://hub.example.edu] [--branch main] [--output _build/publish]

The everyday book (`make book`) reads offline and knows nothing of where it is hosted.
The published one adds what only makes sense online: the repository and issue buttons,
and launch buttons that open a lesson on Binder or, with nbgitpuller, on your own
JupyterHub. The settings are written into a copy of `_config.yml`, so the committed
configuration stays the offline one; executed notebooks are reused from the ordinary
build's cache (`_build/.jupyter_cache`), so publishing after `make book` is quick.

The site is written to OUTPUT/_build/html, with a `.nojekyll` file so that GitHub Pages
serves Sphinx's `_static` and `_images` folders.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def repository_from_git() -> str | None:
    """The https address of the `origin` remote, if there is one."""
    result = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT,
                            capture_output=True, text=True)
    url = result.stdout.strip()
    if result.returncode != 0 or not url:
        return None
    if url.startswith("git@"):
        host, path = url[4:].split(":", 1)
        url = f"https://{host}/{path}"
    return url.removesuffix(".git")


def publish_config(repository_url: str, jupyterhub_url: str | None, branch: str) -> dict:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["repository"] = {"url": repository_url, "path_to_book": "", "branch": branch}
    config["html"].update(use_repository_button=True, use_issues_button=True,
                          use_edit_page_button=False)
    launch = {"notebook_interface": "jupyterlab", "binderhub_url": "https://mybinder.org"}
    if jupyterhub_url:
        launch["jupyterhub_url"] = jupyterhub_url
    config["launch_buttons"] = launch
    # The book's sphinx.config sets html_theme_options, which replaces (not extends) the
    # theme options Jupyter Book derives from the keys above, so they go there too.
    theme = config["sphinx"]["config"].setdefault("html_theme_options", {})
    theme.update(repository_url=repository_url, repository_branch=branch, path_to_docs="",
                 use_repository_button=True, use_issues_button=True,
                 use_download_button=True, launch_buttons=launch)
    config["execute"]["cache"] = str(ROOT / "_build" / ".jupyter_cache")
    # Paths in local_extensions are relative to the configuration file, which moves.
    extensions = config["sphinx"].get("local_extensions", {})
    config["sphinx"]["local_extensions"] = {
        name: str(ROOT / path) for name, path in extensions.items()
    }
    return config


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repository-url", default=os.environ.get("REPOSITORY_URL") or None,
                        help="https address of the repository (default: $REPOSITORY_URL, "
                             "then the git remote 'origin')")
    parser.add_argument("--jupyterhub-url", default=os.environ.get("JUPYTERHUB_URL") or None,
                        help="your JupyterHub, for nbgitpuller launch links (optional)")
    parser.add_argument("--branch", default=os.environ.get("BRANCH") or "main")
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "publish")
    args = parser.parse_args(argv)

    repository = args.repository_url or repository_from_git()
    if not repository or not repository.startswith("https://"):
        parser.error(
            "--repository-url: the launch and repository buttons need the repository's "
            "https address, e.g. make publish REPOSITORY_URL=https://github.com/OWNER/REPO "
            f"(got {repository!r})."
        )
    if args.jupyterhub_url and not args.jupyterhub_url.startswith(("https://", "http://")):
        parser.error(f"--jupyterhub-url: give the hub's address with http(s):// "
                     f"(got {args.jupyterhub_url!r}).")

    args.output.mkdir(parents=True, exist_ok=True)
    config_path = args.output / "_config.yml"
    config = publish_config(repository, args.jupyterhub_url, args.branch)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    result = subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(ROOT), "--builder", "html",
         "--config", str(config_path), "--path-output", str(args.output),
         "-W", "-n", "--keep-going"],
        cwd=ROOT,
    )
    if result.returncode != 0:
        return result.returncode
    site = args.output / "_build" / "html"
    (site / ".nojekyll").touch()
    print(f"The site is ready for GitHub Pages at {site}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
