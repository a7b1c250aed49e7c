#!/usr/bin/env bash
# Starts a Docker engine for builds and image tests, or reuses one that already answers.
#   scripts/docker-engine.sh start   prints the DOCKER_HOST to use
#   scripts/docker-engine.sh stop
# The project's own engine runs as root from Debian's docker.io, with no bridge and no iptables
# rules: containers use host networking, so nothing leaves loopback.
source "$(dirname "$0")/lib.sh"

OWN_SOCKET=/run/fastapi-k8s/docker.sock
STATE=/var/lib/fastapi-k8s/docker
PIDFILE=/run/fastapi-k8s/dockerd.pid

answers() { DOCKER_HOST="$1" docker version >/dev/null 2>&1; }

start() {
    if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then echo "$DOCKER_HOST"; return; fi
    if answers "unix://$OWN_SOCKET"; then echo "unix://$OWN_SOCKET"; return; fi
    if answers "unix:///var/run/docker.sock"; then echo "unix:///var/run/docker.sock"; return; fi
    apt_install docker.io
    as_root mkdir -p /run/fastapi-k8s "$STATE"
    log "starting dockerd on $OWN_SOCKET (no bridge, no iptables)"
    as_root sh -c "nohup dockerd --host unix://$OWN_SOCKET --data-root $STATE --exec-root /run/fastapi-k8s/exec \
        --pidfile $PIDFILE --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
        >/var/log/fastapi-k8s-dockerd.log 2>&1 &"
    for _ in $(seq 1 60); do
        answers "unix://$OWN_SOCKET" && { echo "unix://$OWN_SOCKET"; return; }
        sleep 0.5
    done
    log "dockerd did not come up; its log follows"; as_root tail -20 /var/log/fastapi-k8s-dockerd.log >&2
    exit 1
}

stop() {
    [ -f "$PIDFILE" ] || return 0
    local pid; pid="$(cat "$PIDFILE")"
    as_root kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
    as_root kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
