#!/bin/bash
# Starts Cilium's agent with the given flags. This kernel is built without loadable modules, so it
# has no /proc/modules, and Cilium 1.15 fails at start when it cannot read that file. The container's
# /proc is therefore replaced (it is privileged, in a mount namespace of its own) by a tmpfs holding
# every entry of the real one plus an empty modules list; what the agent would load is built in.
set -euo pipefail
real=/run/cilium-real-proc
mkdir -p "$real"
mount --rbind /proc "$real"
mount -t tmpfs -o mode=0555 cilium-proc /proc
for entry in "$real"/*; do ln -s "$entry" "/proc/${entry##*/}"; done
: >/proc/modules
exec /usr/bin/cilium-agent "$@"
