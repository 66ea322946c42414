"""Project-local Jupyter server settings (JUPYTER_CONFIG_DIR points here).

The Makefile and the tests set JUPYTER_CONFIG_DIR to this folder, so nothing in a
user's own Jupyter configuration needs to change.
"""

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# Course machines and containers often run as root; a Jupyter server refuses root
# unless told otherwise. For a normal user this setting changes nothing.
c.ServerApp.allow_root = True
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.open_browser = False

# No "Would you like to get notified about official Jupyter news?" in a workshop room:
# the server fetches no news and checks for no new version (JupyterLab's announcements),
# and labconfig/page_config.json beside this file turns the announcements plugin off.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
