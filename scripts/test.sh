#!/usr/bin/env bash
# The whole test suite: what `npm test` and CI run. Installs what it needs first.
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

ensure_node_modules
bash scripts/lint.sh
log "type check"
npx --no-install tsc -p tsconfig.json --noEmit
log "unit tests on Pulumi mocks"
npx --no-install mocha
log "workflow lint (actionlint, built from the Go module proxy on first use)"
npm run --silent test:tools
log "rendered manifests through kubernetes-validate, checkov and kube-score"
npm run --silent check:manifests
log "every stack on the real Pulumi engine built from Go modules, rendering to a directory (tests/engine)"
npm run --silent test:engine

ensure_python_venv
ensure_postgres
log "service tests (pytest, real PostgreSQL and processes on loopback)"
"$VENV/bin/python" -m pytest app-images -q -p no:cacheprovider
log "benchmarks, quick: each pair briefly, failing only past a goal's quick bound (docs/performance.md)"
bash scripts/bench.sh --quick
apt_install chromium  # the scenarios' screenshot of the page (tests/cluster/test_scenarios.py)
log "local Kubernetes from source: build, up, end-to-end checks, failure scenarios, down (tests/cluster)"
"$VENV/bin/python" -m pytest tests/cluster -q -c tests/cluster/pytest.ini
if [ -f out/cluster.json ]; then
    log "cluster bring-up time and idle memory (out/cluster.json)"
    cat out/cluster.json >&2
fi
if [ -f out/scenarios.md ]; then
    log "failure scenarios on the cluster (out/scenarios.md, every figure in out/scenarios.json)"
    head -n 14 out/scenarios.md >&2
fi
if [ -f out/engine.json ]; then
    log "engine test timings (out/engine.json)"
    cat out/engine.json >&2
fi
if [ -f out/images.json ]; then
    log "image sizes and build times (out/images.json)"
    cat out/images.json >&2
fi
