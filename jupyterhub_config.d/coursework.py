"""Coursework for JupyterHub (>= 3; tested with 6.1): the managed service, its custom scopes and its roles.

Installed with ``pip install jupyterhub-coursework``, one line of your own ``jupyterhub_config.py`` loads it,
after your own roles and services::

    from jupyterhub_coursework import configure; configure(c)

From a checkout of the repository (after its build), load this file instead::

    load_subconfig("/path/to/coursework/jupyterhub_config.d/coursework.py")

It adds to what your config already has (roles, custom scopes, services, ``Spawner.oauth_client_allowed_scopes``)
and replaces nothing. It reads its settings from ``COURSEWORK_*`` environment variables of the Hub and passes
all of them on to the service, which validates them (see the README's configuration reference). Those read here:

- ``COURSEWORK_ADMINS_GROUP`` (``coursework-admins``): the Hub group whose members may create courses and
  manage any course (Hub admins may too);
- ``COURSEWORK_SERVICE_HOST`` (``127.0.0.1``) and ``COURSEWORK_SERVICE_PORT`` (``10101``): where the service
  listens;
- ``COURSEWORK_SERVICE_COMMAND``: the command that starts the service (default: the installed package's
  launcher, or in a checkout ``node`` and the ``service/lib/main.js`` beside this folder);
- ``COURSEWORK_SERVICE_URL``: where single-user servers reach the service, given to them as ``COURSEWORK_URL``
  for the Python client (default: the address above with the service's prefix; set it when servers run on
  other hosts, e.g. ``http://coursework:10101/services/coursework/``);
- ``COURSEWORK_SERVICE_API_TOKEN``: set when the service runs on its own rather than started by the Hub (several
  replicas behind a load balancer, or a Deployment on Kubernetes): the Hub then starts nothing, knows the service
  by this token (give the replicas the same one as ``JUPYTERHUB_API_TOKEN``) and routes its prefix to the address
  above, the load balancer's.
"""

import os
import shlex
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub's config loader)

SERVICE = "coursework"
ACCESS = f"access:services!service={SERVICE}"
INSTRUCT = "custom:coursework:instruct"
ADMIN = "custom:coursework:admin"

_env = os.environ
_admins = _env.get("COURSEWORK_ADMINS_GROUP", "coursework-admins")
_host = _env.get("COURSEWORK_SERVICE_HOST", "127.0.0.1")
_port = int(_env.get("COURSEWORK_SERVICE_PORT", "10101"))


def _service_command():
    if _env.get("COURSEWORK_SERVICE_COMMAND"):
        return shlex.split(_env["COURSEWORK_SERVICE_COMMAND"])
    checkout = Path(__file__).resolve().parent.parent / "service" / "lib" / "main.js"
    if checkout.is_file():
        # V8's memory settings, as the package's launcher gives them (see jupyterhub_coursework/launch.py).
        return [shutil.which("node") or "node", "--max-semi-space-size=2", "--heap-growing-percent=15", str(checkout)]
    # Installed from the jupyterhub-coursework package: its launcher runs the service on its own Node.js.
    return [sys.executable, "-m", "jupyterhub_coursework"]


# glibc's malloc raises its mmap threshold to the largest block freed (up to 32 MB): after the first zip's 1 MB read
# buffers or a scan worker's read buffer are freed, such blocks come from heaps it does not give back. A fixed
# threshold keeps returning them. It sits one byte above 64 KB: each DEFLATE of a file allocates zlib's state as
# blocks of 64 KB and a few bytes, and thousands of them in a snapshot, freed in another order than they were taken,
# left the heap some 25 MB larger for good (more the larger the course); mapped on their own, each goes back when
# freed. The streams' 64 KB buffers stay in the heap, as mapping each of them slowed the zips. Other C libraries
# ignore the variable; an admin's own value in the Hub's environment wins.
_MALLOC_MMAP_THRESHOLD = _env.get("MALLOC_MMAP_THRESHOLD_", "65537")
# One malloc arena for all the service's threads: each of libuv's pool threads and the scan workers otherwise gets
# an arena of its own, each keeping freed memory; the threads' work is hashing and I/O, not allocation, so sharing
# one costs no measurable speed and keeps the exchange's peak RSS some 10 MB lower.
_MALLOC_ARENA_MAX = _env.get("MALLOC_ARENA_MAX", "1")


def _configured(section, name, default):
    """The value already set in this config (by the admin's own file), else ``default``."""
    return c[section][name] if name in c[section] else default


def _with_role(roles, name, scopes, groups=(), services=()):
    """Adds ``scopes``, ``groups`` and ``services`` to role ``name``, creating it if needed."""
    roles = [dict(role) for role in roles]
    role = next((r for r in roles if r.get("name") == name), None)
    if role is None:
        role = {"name": name}
        roles.append(role)
    for key, values in (("scopes", scopes), ("groups", groups), ("services", services)):
        merged = list(role.get(key, []))
        merged += [v for v in values if v not in merged]
        if merged:
            role[key] = merged
    return roles


c.JupyterHub.custom_scopes = {
    **_configured("JupyterHub", "custom_scopes", {}),
    INSTRUCT: {
        "description": "Act in Coursework with one's teaching roles (instructor, grader) in the courses one teaches."
    },
    ADMIN: {"description": "Create courses in Coursework and manage any course."},
}

roles = list(_configured("JupyterHub", "load_roles", []))
# Every user may reach the service (the proxy does not check); the service itself decides what they may do, from
# each course's groups and roster. The instruct scope lets a user's tokens act with their teaching roles: a token
# requested with fewer scopes acts as a student at most. Redefining the default `user` role must keep `self`.
roles = _with_role(roles, "user", ["self", ACCESS, INSTRUCT])
roles = _with_role(roles, "coursework-admin", [ADMIN, ACCESS], groups=[_admins])
# The service's own token: read groups (each course names its own, from patterns) and user names, nothing more.
roles = _with_role(roles, "coursework-service", ["read:groups", "read:users:name"], services=[SERVICE])
c.JupyterHub.load_roles = roles

_service = {
    "name": SERVICE,
    "display": True,
    "url": f"http://{_host}:{_port}",
    "oauth_no_confirm": True,
    "oauth_client_allowed_scopes": [INSTRUCT, ADMIN],
}
if _env.get("COURSEWORK_SERVICE_API_TOKEN"):
    # Run elsewhere: the replicas get their settings (and the JUPYTERHUB_* ones the Hub gives a managed service) from
    # where they run. OAuth works as for a managed service: client `service-coursework`, callback under its prefix.
    _service["api_token"] = _env["COURSEWORK_SERVICE_API_TOKEN"]
else:
    _service["command"] = _service_command()
    # Everything the admin set for Coursework reaches the service; JupyterHub adds the JUPYTERHUB_* variables.
    _service["environment"] = {
        "MALLOC_MMAP_THRESHOLD_": _MALLOC_MMAP_THRESHOLD,
        "MALLOC_ARENA_MAX": _MALLOC_ARENA_MAX,
        **{k: v for k, v in _env.items() if k.startswith("COURSEWORK_")},
    }
c.JupyterHub.services = [s for s in _configured("JupyterHub", "services", []) if s.get("name") != SERVICE] + [_service]

# The single-user server's own token ($JUPYTERHUB_API_TOKEN: in the user's kernels and terminals, and what nbgrader
# sends) reaches the service with the user's Coursework rights, no more: JupyterHub gives the token the subset of these
# scopes the user holds. Added to the admin's own list (or callable), else to what the server role grants by default.
_COURSEWORK_SCOPES = [ACCESS, INSTRUCT, ADMIN]


def _with_coursework_scopes(scopes):
    scopes = list(scopes)
    return scopes + [s for s in _COURSEWORK_SCOPES if s not in scopes]


_server_role = next((r for r in roles if r.get("name") == "server"), None)
_server_scopes = _configured(
    "Spawner",
    "server_token_scopes",
    _server_role["scopes"] if _server_role and "scopes" in _server_role else ["users:activity!user", "access:servers!server"],
)
if callable(_server_scopes):
    _admins_server_scopes = _server_scopes
    c.Spawner.server_token_scopes = lambda spawner: _with_coursework_scopes(_admins_server_scopes(spawner))
else:
    c.Spawner.server_token_scopes = _with_coursework_scopes(_server_scopes)

# Where the Python client in the users' servers (`import coursework`) finds the service: straight at its address,
# under its prefix (the service answers there as behind the proxy). The admin's own COURSEWORK_URL wins.
def _address_for_servers():
    if _env.get("COURSEWORK_SERVICE_URL"):
        return _env["COURSEWORK_SERVICE_URL"]
    host = "127.0.0.1" if _host in ("", "0.0.0.0", "::") else _host
    host = f"[{host}]" if ":" in host else host
    base = "/" + _configured("JupyterHub", "base_url", "/").strip("/") + "/"
    return f"http://{host}:{_port}{base.replace('//', '/')}services/{SERVICE}/"


c.Spawner.environment = {"COURSEWORK_URL": _address_for_servers(), **_configured("Spawner", "environment", {})}

# The JupyterLab page's token may call the service with the user's Coursework rights (the Hub intersects these
# with what the user holds), so that the extension works without asking for another login.
_spawner_scopes = list(_configured("Spawner", "oauth_client_allowed_scopes", []))
c.Spawner.oauth_client_allowed_scopes = _spawner_scopes + [
    s for s in (ACCESS, INSTRUCT, ADMIN) if s not in _spawner_scopes
]
