#!/usr/bin/env bash
# Builds one image from app-images/ the way this project's tests and local cluster need it: on the
# local Debian base image (so no registry is needed; docs/environment.md), with any TLS-intercepting proxy's CA
# certificates for pip (build stage only), RUN steps on the host network.
#   scripts/build-image.sh <service> <tag>      prints the tag; DOCKER_HOST chooses the engine
source "$(dirname "$0")/lib.sh"
service="${1:?usage: scripts/build-image.sh <service> <tag>}"
tag="${2:?usage: scripts/build-image.sh <service> <tag>}"
# The FastAPI services share app-images/Dockerfile; an image with a Dockerfile of its own
# (app-images/postgres) is built from that.
if [ -f "$REPO_ROOT/app-images/$service/Dockerfile" ]; then
    dockerfile=("-f" "$REPO_ROOT/app-images/$service/Dockerfile")
elif [ -d "$REPO_ROOT/app-images/$service/app" ]; then
    dockerfile=("-f" "$REPO_ROOT/app-images/Dockerfile" "--build-arg" "SERVICE=$service")
else
    echo "no image app-images/$service: neither a Dockerfile nor a service's app/" >&2
    exit 2
fi

export DOCKER_HOST="${DOCKER_HOST:-$(bash "$REPO_ROOT/scripts/docker-engine.sh" start)}"
base="$(bash "$REPO_ROOT/scripts/base-image.sh")"
extra_ca="$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true)"
docker_build -q --network host "${dockerfile[@]}" \
    --build-arg "BASE_IMAGE=$base" --build-arg "EXTRA_CA_CERTS=$extra_ca" \
    -t "$tag" "$REPO_ROOT/app-images" >/dev/null
echo "$tag"
