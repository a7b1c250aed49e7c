#!/usr/bin/env bash
# The linters, as `npm run lint` and the first step of `npm test` run them: ShellCheck on every
# script (settings in .shellcheckrc) and ruff on all Python (settings in ruff.toml).
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
apt_install shellcheck
ensure_python_venv
log "shellcheck (scripts/, .ci/run)"
shellcheck scripts/*.sh scripts/*/*.sh .ci/run
log "ruff (app-images/, scripts/, tests/)"
"$VENV/bin/ruff" check app-images scripts tests
