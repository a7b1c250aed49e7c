#!/usr/bin/env bash
# Builds the three service images, pushes them tagged with a release tag (CI: the commit SHA) and
# writes the references the registry resolved them to, by digest — what `npm run deploy -- dev
# --images <file>` deploys and what promotion carries to staging and prod.
#   scripts/publish-images.sh <repository-prefix> <tag> <refs.json>
#   e.g. scripts/publish-images.sh 127.0.0.1:5000/fastapi-k8s "$(git rev-parse --short HEAD)" out/refs.json
# DOCKER_HOST chooses the engine (default: this project's own, scripts/docker-engine.sh).
source "$(dirname "$0")/lib.sh"
prefix="${1:?usage: scripts/publish-images.sh <repository-prefix> <tag> <refs.json>}"
tag="${2:?usage: scripts/publish-images.sh <repository-prefix> <tag> <refs.json>}"
out="${3:?usage: scripts/publish-images.sh <repository-prefix> <tag> <refs.json>}"
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "publish-images: \"$tag\" is not a valid image tag" >&2; exit 2; }
export DOCKER_HOST="${DOCKER_HOST:-$(bash "$REPO_ROOT/scripts/docker-engine.sh" start)}"

refs=()
for service in frontend backend analytics; do
    log "building and pushing $prefix/$service:$tag"
    # The registry's digest of what was pushed: the reference that can never change meaning.
    refs+=("$service=$(publish_image "$service" "$prefix/$service" "$tag")")
done
mkdir -p "$(dirname "$out")"
python3 -c 'import json, sys; print(json.dumps(dict(a.split("=", 1) for a in sys.argv[1:]), indent=2))' "${refs[@]}" >"$out"
cat "$out"
