"""Every scenario, in the order they run (the later ones disturb more)."""

from collections.abc import Callable

from . import bluegreen, control_plane, exposure, healing, persistence, probes, resources
from .platform import ScenarioPlatform

Scenario = Callable[[ScenarioPlatform], dict]

SCENARIOS: dict[str, tuple[str, Scenario]] = {
    "load-balancer": ("The frontend's LoadBalancer Service gets an address from the cluster's pool; the page is served from it.", exposure.load_balancer),
    "ingress-tls": (
        "The frontend's Ingress over HTTPS through the ingress controller, with a certificate from the cluster's CA; a route without TLS is plain HTTP.",
        exposure.ingress_tls,
    ),
    "probe-liveness": ("Liveness failing → the container is restarted and the pod comes back Ready.", probes.liveness_failure),
    "probe-readiness": ("Readiness failing on one replica → it leaves the endpoints, keeps running, no request fails.", probes.readiness_failure),
    "probe-startup": ("A slow start within the startup allowance is waited for; one beyond it is restarted.", probes.slow_start),
    "quota-and-defaults": ("The quota admits the platform at peak, admits an app that fits, refuses one that does not; LimitRange defaults.", resources.quota),
    "out-of-memory": ("A request beyond the memory limit gets analytics OOMKilled and restarted; the page keeps being served.", resources.out_of_memory),
    "self-healing": ("At 3 replicas under load: 1 pod deleted, 2 deleted, a server process killed — no request fails.", healing.self_healing),
    "blue-green": ("Live traffic switched to green and back under load — no request lost, new version shown at once.", bluegreen.switch_and_back),
    "control-plane-loss": (
        "API server, controller manager and scheduler stopped 60 s: the page keeps being served, the kubelet restarts a crash.",
        control_plane.control_plane_loss,
    ),
    "statefulset-recreated": ("The Postgres StatefulSet deleted and recreated by the release: the data is still there.", persistence.statefulset_recreated),
}
