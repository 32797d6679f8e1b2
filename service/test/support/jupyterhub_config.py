"""The integration tests' Hub: the demo Hub plus a `test-admin` service whose token the tests use to create users'
tokens, revoke them and inspect services. Ports and folders come from the COURSEWORK_DEMO_* variables."""

import os
from pathlib import Path

c = get_config()  # noqa: F821

load_subconfig(str(Path(__file__).resolve().parents[3] / "demo" / "jupyterhub_config.py"))  # noqa: F821

c.JupyterHub.services.append({"name": "test-admin", "api_token": os.environ["COURSEWORK_TEST_ADMIN_TOKEN"]})
# An LMS integration (Canvas calling the deadline webhook): a Hub service holding the instruct scope.
c.JupyterHub.services.append({"name": "test-lms", "api_token": os.environ["COURSEWORK_TEST_LMS_TOKEN"]})
c.JupyterHub.load_roles.append(
    {
        "name": "test-lms",
        "scopes": ["custom:coursework:instruct", "access:services!service=coursework"],
        "services": ["test-lms"],
    }
)
# Prometheus scraping the service's metrics: a Hub service holding read:metrics and nothing else.
c.JupyterHub.services.append({"name": "test-prometheus", "api_token": os.environ["COURSEWORK_TEST_PROMETHEUS_TOKEN"]})
c.JupyterHub.load_roles.append({"name": "test-prometheus", "scopes": ["read:metrics"], "services": ["test-prometheus"]})
c.JupyterHub.load_roles.append(
    {
        "name": "test-admin",
        "scopes": ["admin:users", "admin:groups", "tokens", "read:services", "admin:servers", "access:servers"],
        "services": ["test-admin"],
    }
)
