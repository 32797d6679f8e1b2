#!/usr/bin/env bash
# `npm run bench [-- <homes> [<zip homes>]]`: set-up as for the tests, the anchors' tools, then the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/use-node.sh
missing=()
for tool in rsync zip unzip; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "The benchmark compares against ${missing[*]}: install them (Debian/Ubuntu: sudo apt-get install ${missing[*]})." >&2
    exit 1
  fi
fi
# ngshare 0.6.0, the exchange anchor, in a venv of its own (it needs SQLAlchemy 1.4; JupyterHub's venv has 2).
if [ ! -x bench/.venv-ngshare/bin/python ] || ! bench/.venv-ngshare/bin/python -c 'import ngshare' 2>/dev/null; then
  echo "[bench] installing ngshare 0.6.0 (the exchange anchor) into bench/.venv-ngshare"
  "${PYTHON:-python3}" -m venv bench/.venv-ngshare
  bench/.venv-ngshare/bin/python -m pip install --quiet 'ngshare==0.6.0' 'SQLAlchemy<2'
fi
npx --no-install tsc -p bench/tsconfig.json
node bench/lib/bench/src/bench.js "$@"
