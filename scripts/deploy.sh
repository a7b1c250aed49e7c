#!/usr/bin/env bash
# Deploys one stack: preview with a saved plan, then apply exactly that plan.
#   npm run deploy -- <dev|staging|prod> [--yes]
source "$(dirname "$0")/lib.sh"
stack="${1:?usage: npm run deploy -- <dev|staging|prod> [--yes]}"
case "$stack" in dev | staging | prod) ;; *) echo "unknown stack \"$stack\"; expected dev, staging or prod" >&2; exit 2 ;; esac
cd "$REPO_ROOT"
ensure_node_modules

if ! command -v pulumi >/dev/null 2>&1; then
    echo "deploy: no pulumi CLI on PATH. Install one (https://www.pulumi.com/docs/install/) and retry." >&2
    exit 1
fi
export PULUMI_SKIP_UPDATE_CHECK=true
pulumi stack select --create "$stack"
plan="$(mktemp -d)/plan.json"
pulumi preview --diff --save-plan "$plan"
if [ "${2:-}" != "--yes" ]; then
    read -r -p "Apply this plan to $stack? [y/N] " answer
    [ "$answer" = y ] || { echo "not applied"; exit 1; }
fi
pulumi up --yes --plan "$plan"
