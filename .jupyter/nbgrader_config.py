"""nbgrader settings for `make lab`: the course in exercises/, a local exchange.

Loaded because JUPYTER_CONFIG_DIR points at this folder. The course's own settings
are in exercises/nbgrader_config.py, which this file loads.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

_repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
load_subconfig(os.path.join(_repo, "exercises", "nbgrader_config.py"))  # noqa: F821
c.CourseDirectory.root = os.path.join(_repo, "exercises")
# A folder of this checkout stands in for the shared exchange of a multi-user hub.
c.Exchange.root = os.path.join(_repo, ".exchange")
