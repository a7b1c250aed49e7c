#!/usr/bin/env bash
# The benchmarks (docs/performance.md): each pair side by side on this machine, loopback only.
#   npm run bench [-- --quick] [--only request-path,start-to-ready,evaluation,unit-loop]
# Writes out/bench.json and prints the goals as a table; --quick fails only on a figure more than
# twice as far from its goal as allowed.
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
ensure_node_modules
ensure_python_venv
ensure_postgres
apt_install wrk
PYTHONPATH="$REPO_ROOT/scripts:$REPO_ROOT/app-images/common" "$VENV/bin/python" -m bench "$@"
