"""nbgrader settings for students' and instructors' own servers (not the formgrader).

nbgrader names a submission after the system account that runs the server, except in
containers where every server runs as "jovyan" (then it uses the hub's user name).
Name submissions after the hub's user name everywhere: with one system account per
person the two are the same, and hubs that map people to other accounts (TLJH's
"jupyter-<name>", a shared account) still hand in under the name the gradebook knows.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
