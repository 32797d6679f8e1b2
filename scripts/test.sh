#!/usr/bin/env bash
# `npm test`: set-up as needed, then every suite: type checks, lint, the Python client's and Hub config's tests, jest
# (unit, app and integration tests against a real JupyterHub, each on SQLite and again on PostgreSQL), the browser
# tests in ui-tests/, and the Kubernetes deployment's checks (run beside the rest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser
. scripts/use-node.sh

# The Kubernetes deployment's checks (Helm, kubernetes-validate) need no cluster and little CPU once Helm is built:
# they run beside the rest and report at the end.
mkdir -p .cache
bash scripts/check-deploy.sh > .cache/check-deploy.log 2>&1 &
deploy_check=$!

echo "[test] type-checking the tests"
npx --no-install tsc -p tsconfig.test.json

echo "[test] lint (ESLint)"
npm run --silent lint

echo "[test] Python: the client's type check (mypy --strict) and the unit tests of the client and the Hub config"
(cd packages/lab-extension && ../../.venv/bin/python -m mypy && ../../.venv/bin/python -m unittest discover -s tests)
.venv/bin/python -m unittest discover -s service/test/python

echo "[test] jest: unit and integration"
npx --no-install jest --ci "$@"

echo "[test] browser tests (ui-tests, Playwright with the system Chromium)"
(cd ui-tests && npx --no-install playwright test)

echo "[test] the Kubernetes deployment (scripts/check-deploy.sh)"
if wait "$deploy_check"; then cat .cache/check-deploy.log; else cat .cache/check-deploy.log; exit 1; fi
