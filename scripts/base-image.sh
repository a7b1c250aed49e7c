#!/usr/bin/env bash
# Builds a local Python base image without any registry (for offline machines, docs/environment.md):
# a minimal Debian bookworm root filesystem with python3 and venv, made by debootstrap and imported
# into Docker.
#   DOCKER_HOST=... scripts/base-image.sh   prints the image reference
source "$(dirname "$0")/lib.sh"
IMAGE="${BASE_IMAGE_REF:-fastapi-k8s/python-base:bookworm}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then echo "$IMAGE"; exit 0; fi
apt_install debootstrap
rootfs="$(mktemp -d /tmp/rootfs.XXXXXX)"
trap 'as_root rm -rf "$rootfs"' EXIT
log "debootstrap bookworm (minbase + python3) into $rootfs"
as_root debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$rootfs" \
    "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null
# Keep the image small: package lists and caches are of no use at run time.
as_root rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc "$rootfs"/usr/share/man
as_root tar -C "$rootfs" -c . | docker import --change 'CMD ["python3"]' - "$IMAGE" >/dev/null
log "imported $IMAGE"
echo "$IMAGE"
