import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CERTIFICATE_ISSUER_ANNOTATIONS } from "./choices";
import { IngressRoute } from "./webServiceArgs";

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
