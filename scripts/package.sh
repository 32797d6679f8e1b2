#!/usr/bin/env bash
# `npm run package` (after the build): the two wheels an admin installs, into dist/.
# - jupyterhub-coursework, for the Hub's environment: the service with its production npm dependencies only, the
#   Hub config, and the launcher that runs the service on Node.js 24 from PyPI;
# - jupyterlab-coursework, for the users' environment: the prebuilt JupyterLab extension.
# The npm tarballs of the service and its client library land in dist/npm/ on the way.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/use-node.sh
PYTHON=${PYTHON:-.venv/bin/python}

[ -f service/lib/main.js ] && [ -f packages/lab-extension/labextension/package.json ] ||
  { echo "[package] build first: npm run build" >&2; exit 1; }

rm -rf dist && mkdir -p dist/npm
npm pack --silent -w packages/client -w service --pack-destination dist/npm >/dev/null

# The service as npm installs it from those tarballs, with its production dependencies only; and JupyterHub's
# proxy at the version the tests use, for Hubs without one (the Hub config uses it when none is on PATH).
proxy=configurable-http-proxy@$(node -p 'require("configurable-http-proxy/package.json").version')
stage=service/build
rm -rf "$stage" && mkdir -p "$stage"
echo '{"private": true}' > "$stage/package.json"
(cd "$stage" && npm install --omit=dev --no-package-lock --no-audit --no-fund --prefer-offline --loglevel=error \
  ../../dist/npm/coursework-client-*.tgz ../../dist/npm/coursework-service-*.tgz "$proxy" >/dev/null)
# better-sqlite3 loads its prebuilt binaries; its C sources are for building from source only.
rm -rf "$stage/node_modules/better-sqlite3/deps" "$stage/node_modules/better-sqlite3/src"

"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir dist ./service ./packages/lab-extension
ls dist/*.whl
