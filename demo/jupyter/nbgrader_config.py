"""nbgrader in the demo's JupyterLab: Coursework is its exchange. In a Hub's single-user image this file goes to
/etc/jupyter/nbgrader_config.py; the exchange's address comes from COURSEWORK_URL, which Coursework's Hub config gives
every server."""

import os

from ngshare_exchange import configureExchange

c = get_config()  # noqa: F821
configureExchange(c, os.environ["COURSEWORK_URL"] + "ngshare")
# Users without an nbgrader config of their own (students) see the assignments of every course they take. (This
# file is read after ~/.jupyter's in a venv, so it must not override what an instructor's own config names.)
if not os.path.exists(os.path.join(os.path.expanduser("~"), ".jupyter", "nbgrader_config.py")):
    c.CourseDirectory.course_id = "*"
