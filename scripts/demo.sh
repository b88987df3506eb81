#!/usr/bin/env bash
# The README's first command: set up a virtualenv, install the hub, run the demo.
# Safe to run again: it reuses .venv and starts a fresh demo hub in ./synchub-demo.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import hub, agent, fastapi, paramiko" 2>/dev/null; then
  echo "==> installing SyncHub (hub + agent) into .venv"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[hub]'
fi
exec .venv/bin/synchub demo "$@"
