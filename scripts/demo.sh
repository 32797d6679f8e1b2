#!/usr/bin/env bash
# `npm start`: a local JupyterHub on http://127.0.0.1:8000 with Coursework, demo users and their homes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/use-node.sh

export COURSEWORK_DEMO_PASSWORD=${COURSEWORK_DEMO_PASSWORD:-coursework}
if [ ${#COURSEWORK_DEMO_PASSWORD} -lt 8 ]; then
  echo "COURSEWORK_DEMO_PASSWORD must have at least 8 characters (JupyterHub's rule)." >&2
  exit 1
fi
DEMO=${COURSEWORK_DEMO_DIR:-$PWD/.demo}
export COURSEWORK_DEMO_DIR=$DEMO
node scripts/demo-homes.js "$DEMO/homes"

export PATH="$PWD/.venv/bin:$PWD/node_modules/.bin:$PATH"
cat <<MSG

  Coursework demo: http://127.0.0.1:${COURSEWORK_DEMO_PORT:-8000}
  Courses: Demo 101 and Demo 201. Users: instructor (teaches both), grader (grades Demo 201),
  student1, student2 (Demo 101), student3 (both), student4 (Demo 201)
  Password for all: $COURSEWORK_DEMO_PASSWORD
  The service: http://127.0.0.1:${COURSEWORK_DEMO_PORT:-8000}/services/coursework/
  An API token: log in, open http://127.0.0.1:${COURSEWORK_DEMO_PORT:-8000}/hub/token and request one.

MSG
exec jupyterhub -f demo/jupyterhub_config.py
