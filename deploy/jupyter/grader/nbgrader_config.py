"""nbgrader settings of the formgrader service: the course directory and its settings.

The course directory is made by `rmlkit course init` (RMLKIT_COURSE_DIR, set by
deploy/jupyterhub_config.py); its nbgrader_config.py holds the kit's settings (cell time
limits, feedback that never shows hidden tests), loaded here.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

course_dir = os.environ.get("RMLKIT_COURSE_DIR") or os.path.expanduser(
    os.path.join("~", os.environ.get("RMLKIT_COURSE_ID", "rml-social-sciences")))
load_subconfig(os.path.join(course_dir, "nbgrader_config.py"))  # noqa: F821
c.CourseDirectory.root = course_dir
c.NbGrader.logfile = os.path.join(course_dir, ".nbgrader.log")
