#!/usr/bin/env bash
# Brings a clone up to date, idempotently: the Python venv (JupyterHub, JupyterLab, Node.js 24), npm dependencies,
# the build.
# Each step runs only when its inputs changed, so `npm start` and `npm test` call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
fail() { printf '[setup] %s\n' "$*" >&2; exit 1; }
digest() { sha256sum "$@" | sha256sum | cut -c1-16; }

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || fail "Python 3.9 or newer is needed (set PYTHON to its path)."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 9))' || fail "Python 3.9 or newer is needed."

# The Python venv with JupyterHub, JupyterLab, nbgrader and Node.js 24.
reqs=$(digest requirements.txt requirements-no-deps.txt)
if [ "$(cat .venv/.coursework-setup 2>/dev/null)" != "$reqs" ]; then
  say "creating the Python venv (.venv) with JupyterHub, JupyterLab and Node.js 24"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  .venv/bin/python -m pip install --quiet --no-deps -r requirements-no-deps.txt
  echo "$reqs" > .venv/.coursework-setup
fi

# Node.js 24: the machine's, or the venv's.
. scripts/use-node.sh

# npm dependencies, from the committed lockfile.
lock=$(digest package-lock.json package.json)-node$(node -p process.versions.modules)
if [ "$(cat node_modules/.coursework-setup 2>/dev/null)" != "$lock" ]; then
  say "installing npm dependencies from the lockfile"
  # Not `npm ci`: registry mirrors that lack other platforms' optional binaries leave the lockfile listing them
  # without entries and `npm ci` refuses it. `install --no-save` installs the locked versions and rewrites nothing.
  npm install --no-save --no-audit --no-fund
  echo "$lock" > node_modules/.coursework-setup
fi

# What the tests start besides the project's own parts: PostgreSQL (throwaway clusters, for the catalog on PostgreSQL)
# and HAProxy (the load balancer in front of the replicas), from Debian's packages.
if [ "${1:-}" = "--with-browser" ]; then
  needed=()
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || [ -n "${COURSEWORK_POSTGRES_BIN:-}" ] || needed+=(postgresql)
  command -v haproxy >/dev/null || needed+=(haproxy)
  if [ ${#needed[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing ${needed[*]} from Debian's packages"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
    else
      fail "The tests need ${needed[*]}: install them (Debian/Ubuntu: sudo apt-get install ${needed[*]}); for PostgreSQL elsewhere, set COURSEWORK_POSTGRES_BIN to the folder of its initdb and pg_ctl."
    fi
  fi
fi

# A browser for the UI tests: the system's Chromium (Playwright's own download is not used).
if [ "${1:-}" = "--with-browser" ]; then
  CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
  if [ ! -x "$CHROMIUM_PATH" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing Chromium from Debian's packages"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
    else
      fail "The browser tests need Chromium at $CHROMIUM_PATH: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary."
    fi
  fi
fi

say "building"
npx --no-install lerna run build --loglevel=warn >/dev/null || npx --no-install lerna run build

# The demo's Hub and the tests' Hubs run Coursework as an admin installs it: the two wheels, built from this build
# and installed into the venv (its JupyterLab gets the extension from one, its JupyterHub the service from the other).
built=$(find service/lib packages/*/lib packages/lab-extension/labextension jupyterhub_config.d service/jupyterhub_coursework \
  packages/lab-extension/coursework \
  -type f -not -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | cat - scripts/package.sh service/pyproject.toml \
  packages/lab-extension/pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat .venv/.coursework-installed 2>/dev/null)" != "$built" ]; then
  say "packaging and installing Coursework into the venv"
  # A link left by an older set-up would make pip write the wheel's files into the build output.
  [ -L .venv/share/jupyter/labextensions/@coursework/lab-extension ] && rm .venv/share/jupyter/labextensions/@coursework/lab-extension
  bash scripts/package.sh >/dev/null
  .venv/bin/python -m pip install --quiet --force-reinstall --no-deps dist/jupyterhub_coursework-*.whl dist/jupyterlab_coursework-*.whl
  echo "$built" > .venv/.coursework-installed
fi
