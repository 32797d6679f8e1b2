"""The demo Hub: local users without system accounts, a shared password, and Coursework added as an admin adds it.

Started by `npm start` (scripts/demo.sh); the test suites load it too and adjust ports and folders through the
COURSEWORK_DEMO_* variables.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821

ROOT = Path(__file__).resolve().parent.parent
DEMO = Path(os.environ.get("COURSEWORK_DEMO_DIR", ROOT / ".demo")).resolve()
HOMES = DEMO / "homes"

INSTRUCTORS = ["instructor"]
STUDENTS = ["student1", "student2", "student3"]
# The second course: the same instructor, a grader, and students of whom one (student3) takes both courses.
SECOND = "demo-201"
SECOND_STUDENTS = ["student3", "student4"]
GRADERS = ["grader"]

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("COURSEWORK_DEMO_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("COURSEWORK_DEMO_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('COURSEWORK_DEMO_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.pid_file = str(DEMO / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{DEMO / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(DEMO / "jupyterhub_cookie_secret")

c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("COURSEWORK_DEMO_PASSWORD", "coursework")
c.Authenticator.allowed_users = set(
    INSTRUCTORS + STUDENTS + SECOND_STUDENTS + GRADERS + os.environ.get("COURSEWORK_DEMO_EXTRA_USERS", "").split()
)
c.Authenticator.allowed_users.discard("")

# Single-user servers run as the Hub's own user, with homes under the demo folder.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.Spawner.default_url = "/lab"
# nbgrader's config for every user (Coursework as its exchange), where an image would have /etc/jupyter.
c.Spawner.environment = {"JUPYTER_CONFIG_PATH": str(ROOT / "demo" / "jupyter")}
if os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]

c.JupyterHub.load_groups = {
    "instructors": {"users": INSTRUCTORS},
    "students": {"users": STUDENTS},
    # The second course's groups, named by the service's default patterns ({course}-instructors, ...).
    f"{SECOND}-instructors": {"users": INSTRUCTORS},
    f"{SECOND}-graders": {"users": GRADERS},
    f"{SECOND}-students": {"users": SECOND_STUDENTS},
}

# What an admin would set in the Hub's environment for Coursework.
os.environ.setdefault("COURSEWORK_DATA_DIR", str(DEMO / "data"))
os.environ.setdefault("COURSEWORK_HOME_TEMPLATE", str(HOMES / "{username}"))
os.environ.setdefault("COURSEWORK_COURSE_ID", "demo-101")
os.environ.setdefault("COURSEWORK_COURSE_TITLE", "Demo 101: Data Science")
os.environ.setdefault("COURSEWORK_COURSES", json.dumps([{"id": SECOND, "title": "Demo 201: Machine Learning"}]))

# Coursework as an admin adds it: the one line, from the jupyterhub-coursework package set-up installs in the venv.
from jupyterhub_coursework import configure; configure(c)  # noqa: E402, E702
