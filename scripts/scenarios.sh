#!/usr/bin/env bash
# The exercises' failure scenarios on the local cluster, with a report (docs/scenarios.md).
#   npm run scenarios [-- --only probe-liveness,blue-green] [--keep]
# Brings the local cluster up when it is not running (and takes it down again afterwards), deploys
# the scenarios' own copy of the staging stack into the namespace fastapi-scenarios, runs each
# scenario, writes out/scenarios.json and out/scenarios.md and removes that namespace. Needs root.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "scenarios drive a local Kubernetes and Docker engine: run them as root" >&2; exit 1; }
cd "$REPO_ROOT"
ensure_node_modules
ensure_python_venv
apt_install chromium

was_running=false
if bash scripts/cluster/cluster.sh status >/dev/null 2>&1; then was_running=true; fi
bash scripts/cluster/cluster.sh up
status=0
PYTHONPATH="$REPO_ROOT/scripts" "$VENV/bin/python" -m scenarios "$@" || status=$?
if [ "$was_running" = false ]; then
    log "the cluster was not running before: taking it down again"
    bash scripts/cluster/cluster.sh down
fi
exit "$status"
