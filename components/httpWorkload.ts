import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Connection, PublicAccess } from "./connection";
import { NetworkPeer, PeerSource } from "./networkPeer";

/**
 * What every HTTP workload of this package offers, whichever way it rolls out (WebService, or
 * BlueGreenService with two releases behind one Service): where clients reach it, how
 * NetworkPolicies find it, and the connections it declares. Code that composes services should
 * take this interface, not a class.
 */
export interface HttpWorkload {
    /** The in-cluster URL clients call, e.g. http://backend.ns.svc:8000. */
    readonly url: pulumi.Output<string>;
    /** The public URL when there is an Ingress, else undefined. */
    readonly publicUrl?: string;
    /** The Service clients and the Ingress use. */
    readonly service: k8s.core.v1.Service;
    /** The address the cluster gave a LoadBalancer Service (an IP, or a host name on some clouds); null otherwise. */
    readonly loadBalancerAddress: pulumi.Output<string | null>;
    /** How NetworkPolicies find its pods. */
    readonly peer: NetworkPeer;
    /** Lets this workload call `target` on its ports (all, or those named): egress here, ingress there. */
    allowTo(target: PeerSource, portNames?: string[]): Connection;
    /** Lets anything (an ingress controller, a node port, a load balancer) reach its ports. */
    allowFromAnywhere(): PublicAccess;
    /**
     * Admits what its exposure brings, and no more: anyone behind a NodePort or LoadBalancer
     * Service (their traffic arrives from nodes and outside addresses), else only the pods of its
     * Ingress's controller (`ingress.controller`). Refused when it has neither.
     */
    allowPublicTraffic(): PublicAccess;
}

/** The first address in a Service's load-balancer status; null while there is none. */
export function loadBalancerAddress(service: k8s.core.v1.Service): pulumi.Output<string | null> {
    return service.status.apply((status) => {
        const ingress = status?.loadBalancer?.ingress?.[0];
        return ingress?.ip ?? ingress?.hostname ?? null;
    });
}
