#!/usr/bin/env bash
# Deploys the dev stack to a Kubernetes built on this machine, with nothing installed beforehand:
# the local cluster and registry (scripts/cluster), the three service images and a Postgres image
# built here and pushed by digest, and the release command on the Pulumi engine built here
# (scripts/engine). Needs root (the cluster and the Docker engine). Re-running deploys again.
#   npm run deploy:local [-- --yes]
#
# The stack runs from a copy of the project in .cache/local-dev, whose Pulumi.dev.yaml differs
# from the repository's in one place: Postgres comes from the local registry (nothing can be pulled
# from outside here). Its state lives in .state/local.
source "$(dirname "$0")/lib.sh"
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
# --refresh: the local cluster may have been rebuilt since the last deploy (npm test tears it down).
npx --no-install ts-node --transpile-only scripts/release/cli.ts deploy dev --images "$project/refs.json" --work-dir "$project" --refresh "$@"
source scripts/cluster/env.sh
node_port="$(node -p 'require("yaml").parse(require("fs").readFileSync(process.argv[1], "utf8")).config["fastapi-k8s:frontend"].service.nodePort' "$project/Pulumi.dev.yaml")"
echo "dev is served at http://$NODE_IP:$node_port/ (KUBECONFIG=$KUBECONFIG)"
