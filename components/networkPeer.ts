import * as pulumi from "@pulumi/pulumi";

/** One port a workload serves, named so Services and NetworkPolicies can refer to it. */
export interface ServedPort {
    /** The port name (an IANA-style name such as "http" or "postgres"). */
    name: string;
    /** The container port number. */
    port: number;
}

/** Where some pods run and how to select them: what a NetworkPolicy rule names as a peer. */
export interface PodSelection {
    /** The namespace of the pods. */
    namespace: pulumi.Input<string>;
    /** Labels that select exactly those pods there. */
    podLabels: Record<string, string>;
}

/**
 * What a NetworkPolicy needs to know of a workload: where its pods are, how to select them and
 * which ports they serve. WebService and PostgresDatabase expose one as `peer`.
 */
export interface NetworkPeer extends PodSelection {
    /** The workload's name; used to name the policies written for it. */
    name: string;
    /** The ports it serves. */
    ports: ServedPort[];
}

/** A workload (anything with a `peer`, like WebService) or a peer itself. */
export type PeerSource = { peer: NetworkPeer } | NetworkPeer;

/** The peer of a workload, or the peer itself. */
export function peerOf(source: PeerSource): NetworkPeer {
    return "peer" in source ? source.peer : source;
}

/**
 * The in-cluster DNS name of a Service, `<service>.<namespace>.svc`: complete in every cluster,
 * whatever its domain (`cluster.local` is only the default), because every pod's resolver searches
 * `<its namespace>.svc.<domain>`, `svc.<domain>` and `<domain>`. It also costs fewer lookups than
 * `…svc.cluster.local`, which has too few dots (ndots:5) to be tried as it is first.
 */
export function clusterHost(service: string, namespace: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${service}.${namespace}.svc`;
}
