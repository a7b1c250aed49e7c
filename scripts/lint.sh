#!/usr/bin/env bash
# The linters, as `npm run lint` and the first step of `npm test` run them: ShellCheck on every
# script (settings in .shellcheckrc) and on the backup scripts the components mount, ruff's lint
# and format check on all Python (ruff.toml), mypy --strict on the services and their shared
# package (app-images/pyproject.toml), and ESLint with typescript-eslint and Prettier's check on
# all TypeScript (eslint.config.mjs, .prettierrc.json).
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
apt_install shellcheck
ensure_python_venv
log "shellcheck (scripts/, .ci/run)"
shellcheck scripts/*.sh scripts/*/*.sh scripts/cluster/images/*/*.sh .ci/run
log "shellcheck (the scripts PostgresDatabase runs beside the server and in backups, as POSIX sh: they run in its image)"
postgres_scripts="$(mktemp -d)"
trap 'rm -rf "$postgres_scripts"' EXIT
node --require sucrase/register/ts scripts/render/postgresScripts.ts "$postgres_scripts"
# SC1091: common.sh is sourced from the scripts' own directory at run time.
shellcheck --shell=sh --exclude=SC1091 "$postgres_scripts"/*.sh
log "ruff (app-images/, scripts/, tests/)"
"$VENV/bin/ruff" check app-images scripts tests
"$VENV/bin/ruff" format --check app-images scripts tests
log "mypy --strict (app-images: fastapi_common and each service)"
# Each service on its own: all three name their package `app`.
(cd app-images/common && "$VENV/bin/mypy" --config-file ../pyproject.toml fastapi_common)
for service in frontend backend analytics; do
    (cd "app-images/$service" && "$VENV/bin/mypy" --config-file ../pyproject.toml app)
done
log "eslint (TypeScript)"
npx --no-install eslint --max-warnings 0 .
npx --no-install prettier --check --log-level warn "**/*.ts"
