#!/usr/bin/env bash
# `npm test`: set-up as needed, then every suite: type checks, lint, the Python client's and Hub config's tests, jest
# (unit, then integration against a real JupyterHub), and the browser tests in ui-tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser
. scripts/use-node.sh

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
