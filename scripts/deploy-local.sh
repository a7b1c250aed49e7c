#!/usr/bin/env bash
# Deploys the dev stack to a Kubernetes built on this machine, with nothing installed beforehand:
# the local cluster and registry (scripts/cluster), the three service images and a Postgres image
# built here and pushed by digest, and the release command on the Pulumi engine built here
# (scripts/engine). Needs root (the cluster and the Docker engine). Re-running deploys again.
#   npm run deploy:local [-- --yes]
#
# The stack runs from a copy of the project in .cache/local-dev, whose Pulumi.dev.yaml differs
# from the repository's in one place: Postgres comes from the local registry, built from Debian
# (no outside registry is needed). Its state lives in .state/local. With kind or minikube, deploy
# with `pulumi up` or `npm run deploy` instead (docs/environment.md).
source "$(dirname "$0")/lib.sh"

# The cluster outlives a checkout: a dev namespace deployed from another clone (or a deleted
# .state/) holds objects this state did not create, and Pulumi's server-side apply would stop on
# every one of them half-way through. Say so before anything is applied; never delete them here.
refuse_foreign_namespace() {
    local namespace state
    namespace="$(node -p 'require("yaml").parse(require("fs").readFileSync(process.argv[1], "utf8")).config["fastapi-k8s:namespace"]' "$project/Pulumi.dev.yaml")"
    state="${PULUMI_BACKEND_URL#file://}/.pulumi/stacks/fastapi-k8s/dev.json"
    case "$PULUMI_BACKEND_URL" in file://*) ;; *) return 0 ;; esac
    "$KUBECTL" get namespace "$namespace" >/dev/null 2>&1 || return 0
    if [ -f "$state" ] && node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        process.exit((s.checkpoint?.latest?.resources ?? []).some((r) => r.type === "kubernetes:core/v1:Namespace") ? 0 : 1)' "$state"; then
        return 0
    fi
    cat >&2 <<MESSAGE
deploy:local: the local cluster already has namespace "$namespace", but this checkout's state
($state) did not create it: it was deployed from another clone or a state since removed.
Pulumi would conflict with each object there. Remove it, or start from a fresh cluster:
  $KUBECTL delete namespace $namespace        (its database volume goes with it)
  npm run cluster -- down                      (the whole local cluster)
MESSAGE
    exit 1
}

[ "$(id -u)" = 0 ] || { echo "deploy:local builds and starts a local Kubernetes and Docker engine: run it as root" >&2; exit 1; }
cd "$REPO_ROOT"
ensure_node_modules

registry=127.0.0.1:5000
project="$REPO_ROOT/.cache/local-dev"
release_tag="local-$(git rev-parse --short HEAD 2>/dev/null || date +%s)"

log "local Kubernetes and registry"
bash scripts/cluster/cluster.sh up
export KUBECONFIG="$REPO_ROOT/.cache/cluster/kubeconfig"
DOCKER_HOST="$(bash scripts/docker-engine.sh start)"
export DOCKER_HOST

log "images, pushed to $registry and deployed by digest"
mkdir -p "$project"
bash scripts/publish-images.sh "$registry/fastapi-k8s" "$release_tag" "$project/refs.json" >/dev/null
postgres="$(publish_image postgres "$registry/fastapi-k8s/postgres" "$release_tag")"

cp Pulumi.yaml "$project/Pulumi.yaml"
ln -sfn "$REPO_ROOT/stacks" "$project/stacks"
[ -f "$project/Pulumi.dev.yaml" ] || cp Pulumi.dev.yaml "$project/Pulumi.dev.yaml"
node -e '
const fs = require("fs"); const { parseDocument } = require("yaml");
const [file, image] = process.argv.slice(1);
const doc = parseDocument(fs.readFileSync(file, "utf8"));
doc.setIn(["config", "fastapi-k8s:postgres", "image"], image);
fs.writeFileSync(file, doc.toString());
' "$project/Pulumi.dev.yaml" "$postgres"

export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$REPO_ROOT/.state/local}"
export KUBECTL="$REPO_ROOT/.cache/cluster/bin/kubectl"
refuse_foreign_namespace
# --refresh: the local cluster may have been rebuilt since the last deploy (npm test tears it down).
node --require sucrase/register/ts scripts/release/cli.ts deploy dev --images "$project/refs.json" --work-dir "$project" --refresh "$@"
source scripts/cluster/env.sh
node_port="$(node -p 'require("yaml").parse(require("fs").readFileSync(process.argv[1], "utf8")).config["fastapi-k8s:frontend"].service.nodePort' "$project/Pulumi.dev.yaml")"
echo "dev is served at http://$NODE_IP:$node_port/ (KUBECONFIG=$KUBECONFIG)"
