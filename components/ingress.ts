import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CERTIFICATE_ISSUER_ANNOTATIONS } from "./choices";
import { InvalidArgumentError } from "./errors";
import { PodSelection } from "./networkPeer";
import { IngressRoute, ServiceExposure } from "./webServiceArgs";

/** The local cluster's ingress controller (scripts/cluster/addons/traefik.yaml): the default `ingress.controller`. */
export const LOCAL_INGRESS_CONTROLLER: PodSelection = { namespace: "kube-system", podLabels: { "app.kubernetes.io/name": "traefik" } };

/**
 * Who may reach a public workload, from how it is exposed: anyone (undefined) behind a NodePort or
 * LoadBalancer Service, whose traffic arrives from nodes and outside addresses; else only the pods
 * of its Ingress's controller. Undefined `ingress` and a ClusterIP Service: nothing outside reaches
 * it, so there is nothing to admit.
 */
export function publicSources(name: string, service: ServiceExposure | undefined, ingress: IngressRoute | undefined): PodSelection[] | undefined {
    if (service?.type === "NodePort" || service?.type === "LoadBalancer") return undefined;
    if (ingress !== undefined) return [ingress.controller ?? LOCAL_INGRESS_CONTROLLER];
    throw new InvalidArgumentError(`"${name}"`, [
        "allowPublicTraffic(): it has neither an Ingress nor a NodePort or LoadBalancer Service, so nothing outside can reach it; set `ingress` or `service.type`, or use allowFromAnywhere()",
    ]);
}

/**
 * An Ingress routing `route` to the named port of `serviceName`, with TLS when a Secret is given and
 * the cert-manager annotation when an issuer is.
 */
export function routeIngress(
    name: string,
    metadata: { name: string; namespace: pulumi.Input<string>; labels?: Record<string, string>; annotations?: Record<string, string> },
    route: IngressRoute,
    serviceName: pulumi.Input<string>,
    portName: string,
    parent: pulumi.Resource,
): k8s.networking.v1.Ingress {
    return new k8s.networking.v1.Ingress(
        name,
        {
            metadata: { ...metadata, annotations: withIssuer(metadata.annotations, route) },
            spec: {
                ingressClassName: route.className,
                tls: route.tlsSecretName ? [{ hosts: [route.host], secretName: route.tlsSecretName }] : undefined,
                rules: [
                    {
                        host: route.host,
                        http: {
                            paths: [
                                {
                                    path: route.path ?? "/",
                                    pathType: "Prefix",
                                    backend: { service: { name: serviceName, port: { name: portName } } },
                                },
                            ],
                        },
                    },
                ],
            },
        },
        { parent },
    );
}

function withIssuer(annotations: Record<string, string> | undefined, route: IngressRoute): Record<string, string> | undefined {
    const issuer = route.certificateIssuer;
    if (issuer === undefined) return annotations;
    return { ...annotations, [CERTIFICATE_ISSUER_ANNOTATIONS[issuer.kind ?? "ClusterIssuer"]]: issuer.name };
}

/** The URL an Ingress route serves. */
export function routeUrl(route: IngressRoute): string {
    return `${route.tlsSecretName ? "https" : "http"}://${route.host}${route.path ?? "/"}`;
}
