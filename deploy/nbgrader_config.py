"""nbgrader settings shared by every server on the hub: the course and the exchange.

Every server reads this file: deploy/jupyterhub_config.py puts this folder on
JUPYTER_CONFIG_PATH (a container image copies it to /etc/jupyter/nbgrader_config.py).
The course's own settings (time limits, feedback without hidden tests) are in the
course directory's nbgrader_config.py, which only the formgrader service reads.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# The course id must match the formgrader service's name in jupyterhub_config.py.
c.CourseDirectory.course_id = os.environ.get("RMLKIT_COURSE_ID", "rml-social-sciences")

# The shared folder that released assignments and submissions pass through. It must
# exist and be writable by everyone, with the sticky bit: install -d -m 1777 <path>.
# nbgrader then makes <course>/inbound write-only for students (mode 2733), so a
# student can hand in but cannot list or read other students' submissions.
c.Exchange.root = os.environ.get("RMLKIT_EXCHANGE", "/srv/nbgrader/exchange")
