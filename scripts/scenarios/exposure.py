"""How the frontend is reached from outside, as on a cloud cluster: its Service of type LoadBalancer
gets an address from the cluster's pool (Cilium's LB-IPAM) and serves the page from the live colour's
3 replicas; its Ingress is served over HTTPS by the cluster's ingress controller (Traefik) with a
certificate from the cluster's CA, and a route without TLS over plain HTTP."""

import base64
import ipaddress
import socket
import ssl
import time

import httpx

from .kube import CLUSTER_SCRIPT, REPO, apply, endpoint_ready, expect, get, kubectl, ready_pods, sh, wait_until
from .load import routed_client
from .platform import FRONTEND_REPLICAS, INGRESS_HOST, PAGE_TITLE, TLS_SECRET, ScenarioPlatform

INGRESS_CA = REPO / ".cache" / "cluster" / "ingress-ca.crt"  # written by `cluster up`

CLUSTER_RANGE = ipaddress.ip_network("198.18.0.0/15")  # every address the local cluster uses


def load_balancer(platform: ScenarioPlatform) -> dict:
    service = get(platform.namespace, "service", "frontend")
    status = [i.get("ip") for i in service["status"].get("loadBalancer", {}).get("ingress", [])]
    expect(
        service["spec"]["type"] == "LoadBalancer" and status == [platform.address],
        f"the Service's load-balancer status {status} is the stack output {platform.address!r}",
    )
    expect(ipaddress.ip_address(platform.address) in CLUSTER_RANGE, f"{platform.address} lies inside {CLUSTER_RANGE}")
    name = platform.live_frontend()
    pods = ready_pods(platform.namespace, name)
    expect(
        len(pods) == FRONTEND_REPLICAS and all(endpoint_ready(platform.namespace, "frontend", p["status"]["podIP"]) for p in pods),
        f"{FRONTEND_REPLICAS} ready {name} pods behind the Service",
    )
    page = httpx.get(platform.url, timeout=10)
    expect(
        page.status_code == 200 and PAGE_TITLE in page.text and "Hello from staging" in page.text,
        f"the page with its configured title and greeting is served from {platform.url} (HTTP {page.status_code})",
    )
    return {"address": platform.address, "pool_range": str(CLUSTER_RANGE), "url": platform.url, "replicas": len(pods)}


def ingress_tls(platform: ScenarioPlatform) -> dict:
    ingress = get(platform.namespace, "ingress", "frontend")
    address = ingress_address(ingress)
    controller = get("kube-system", "service", "traefik")["status"]["loadBalancer"]["ingress"][0]["ip"]
    expect(address == controller, f"the Ingress's status {address} is the ingress controller's load-balancer address {controller}")
    expect(ingress["spec"]["tls"] == [{"hosts": [INGRESS_HOST], "secretName": TLS_SECRET}], f"the Ingress asks for TLS from {TLS_SECRET}")
    issued = time.monotonic()
    sh("bash", str(CLUSTER_SCRIPT), "certificate", platform.namespace, TLS_SECRET, INGRESS_HOST)
    secret = get(platform.namespace, "secret", TLS_SECRET)
    expect(secret["type"] == "kubernetes.io/tls", f"{TLS_SECRET} is a kubernetes.io/tls Secret")
    issued_der = ssl.PEM_cert_to_DER_cert(base64.b64decode(secret["data"]["tls.crt"]).decode())
    # Until the controller has read the Secret it presents another certificate (its default one, or
    # one issued before): wait for exactly the one just issued.
    presented: list[dict] = []

    def serves_issued() -> bool:
        parsed, der = verified_certificate(address, INGRESS_HOST)
        presented[:] = [parsed]
        return der == issued_der

    served_after = wait_until(serves_issued, 60, f"the certificate issued into {TLS_SECRET} to be served")
    certificate = presented[0]
    names = [value for kind, value in certificate["subjectAltName"] if kind == "DNS"]
    issuer = dict(pair[0] for pair in certificate["issuer"])
    expect(names == [INGRESS_HOST], f"the certificate names {names}, only {INGRESS_HOST}")
    page = https_get(address, INGRESS_HOST)
    expect(
        page.status_code == 200 and PAGE_TITLE in page.text and page.http_version in ("HTTP/1.1", "HTTP/2"),
        f"https://{INGRESS_HOST}/ through the controller serves the page (HTTP {page.status_code})",
    )
    plain = plain_route(platform, address)
    return {
        "address": address,
        "host": INGRESS_HOST,
        "certificate_issuer": issuer.get("commonName"),
        "certificate_names": names,
        "certificate_not_after": certificate["notAfter"],
        "seconds_from_issue_to_served": round(time.monotonic() - issued, 1),
        "seconds_controller_took": round(served_after, 1),
        "https_status": page.status_code,
        **plain,
    }


def ingress_address(ingress: dict) -> str:
    addresses = [entry.get("ip") for entry in ingress.get("status", {}).get("loadBalancer", {}).get("ingress", [])]
    expect(len(addresses) == 1 and addresses[0], f"the Ingress has one address in its status: {addresses}")
    expect(ipaddress.ip_address(addresses[0]) in CLUSTER_RANGE, f"{addresses[0]} lies inside {CLUSTER_RANGE}")
    return addresses[0]


def trusting_cluster_ca() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(INGRESS_CA))


def verified_certificate(address: str, host: str) -> tuple[dict, bytes]:
    """The certificate the controller presents for `host` (SNI), verified against the cluster CA and
    checked for the host name, parsed and in DER; raises ssl.SSLError when it does not verify."""
    with socket.create_connection((address, 443), timeout=5) as raw, trusting_cluster_ca().wrap_socket(raw, server_hostname=host) as tls:
        parsed, der = tls.getpeercert(), tls.getpeercert(binary_form=True)
    if not parsed or der is None:
        raise ssl.SSLError(f"{address} presented no certificate for {host}")
    return dict(parsed), der


def https_get(address: str, host: str) -> httpx.Response:
    """GET https://<host>/ sent to `address`, as a client whose DNS resolves the host there would."""
    with routed_client(f"https://{address}", host, verify=trusting_cluster_ca(), timeout=10) as client:
        return client.get("/")


def plain_route(platform: ScenarioPlatform, address: str) -> dict:
    """An Ingress without `tls` for another host, to the same Service: plain HTTP on port 80 serves
    the page, and HTTPS for that host finds no certificate of its own (the controller's default one
    does not verify)."""
    host = f"plain-{INGRESS_HOST}"
    backend = {"service": {"name": "frontend", "port": {"name": "http"}}}
    apply(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "frontend-plain", "namespace": platform.namespace},
            "spec": {"rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]},
        }
    )
    try:
        wait_until(lambda: httpx.get(f"http://{address}/", headers={"Host": host}, timeout=5).status_code == 200, 60, f"http://{host}/ to be served")
        page = httpx.get(f"http://{address}/", headers={"Host": host}, timeout=10)
        expect(PAGE_TITLE in page.text, f"http://{host}/ serves the page")
        try:
            verified_certificate(address, host)
            refused = ""
        except ssl.SSLCertVerificationError as error:
            refused = error.verify_message
        expect(refused, f"https://{host}/ presents no certificate that verifies for {host}: the route has no TLS")
        return {"plain_http_status": page.status_code, "plain_host_https": f"refused: {refused}"}
    finally:
        kubectl("-n", platform.namespace, "delete", "ingress", "frontend-plain", "--ignore-not-found")
