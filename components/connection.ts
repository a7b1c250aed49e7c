import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentChecker } from "./errors";
import { platformLabels } from "./labels";
import { NetworkPeer, PeerSource, PodSelection, peerOf } from "./networkPeer";
import { componentInputs } from "./componentInputs";

/** Arguments of a Connection: `from` may open connections to `to`. */
export interface ConnectionArgs {
    /** The calling workload. */
    from: NetworkPeer;
    /** The called workload. */
    to: NetworkPeer;
    /** Names of the ports of `to` that `from` may reach. Default: every port `to` serves. */
    portNames?: string[];
}

/**
 * Allows one workload to call another, writing the NetworkPolicies on both sides: an egress policy
 * on the caller's pods and an ingress policy on the callee's pods, each limited to the callee's
 * ports. Under a namespace with default-deny, the connections declared are the only traffic there is.
 */
export class Connection extends pulumi.ComponentResource {
    /** The egress policy on the caller. */
    public readonly egressPolicy: k8s.networking.v1.NetworkPolicy;
    /** The ingress policy on the callee. */
    public readonly ingressPolicy: k8s.networking.v1.NetworkPolicy;

    constructor(name: string, args: ConnectionArgs, opts?: pulumi.ComponentResourceOptions) {
        const ports = selectPorts(name, args.to, args.portNames);
        super("fastapi-k8s:index:Connection", name, componentInputs(args), opts);

        const policyPorts = ports.map((p) => ({ protocol: "TCP", port: p.port }));
        const base = `${args.from.name}-to-${args.to.name}`;
        this.egressPolicy = new k8s.networking.v1.NetworkPolicy(
            `${name}-egress`,
            {
                metadata: {
                    name: `${base}-egress`,
                    namespace: args.from.namespace,
                    labels: platformLabels(),
                },
                spec: {
                    podSelector: { matchLabels: args.from.podLabels },
                    policyTypes: ["Egress"],
                    egress: [{ to: [peerSelector(args.to)], ports: policyPorts }],
                },
            },
            { parent: this },
        );
        this.ingressPolicy = new k8s.networking.v1.NetworkPolicy(
            `${name}-ingress`,
            {
                metadata: {
                    name: `${base}-ingress`,
                    namespace: args.to.namespace,
                    labels: platformLabels(),
                },
                spec: {
                    podSelector: { matchLabels: args.to.podLabels },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [peerSelector(args.from)], ports: policyPorts }],
                },
            },
            { parent: this },
        );
        // Plain values only: resource references in component outputs defeat update plans.
        this.registerOutputs({ egressPolicyName: this.egressPolicy.metadata.name, ingressPolicyName: this.ingressPolicy.metadata.name });
    }
}

/** Arguments of PublicAccess. */
export interface PublicAccessArgs {
    /** The workload that accepts traffic from outside its namespace. */
    to: NetworkPeer;
    /** Names of its ports open to outside. Default: every port it serves. */
    portNames?: string[];
    /** The only pods admitted (an ingress controller's). Default: any source, in or out of the cluster. */
    from?: PodSelection[];
}

/**
 * Lets a workload accept traffic from outside its namespace on its ports: from the pods named in
 * `from` (an ingress controller), or from any source (a NodePort, a load balancer). Use it for the
 * public tier only.
 */
export class PublicAccess extends pulumi.ComponentResource {
    /** The ingress policy on the workload. */
    public readonly ingressPolicy: k8s.networking.v1.NetworkPolicy;

    constructor(name: string, args: PublicAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        const ports = selectPorts(name, args.to, args.portNames);
        super("fastapi-k8s:index:PublicAccess", name, componentInputs(args), opts);
        this.ingressPolicy = new k8s.networking.v1.NetworkPolicy(
            `${name}-ingress`,
            {
                metadata: {
                    name: `${args.to.name}-public-ingress`,
                    namespace: args.to.namespace,
                    labels: platformLabels(),
                },
                spec: {
                    podSelector: { matchLabels: args.to.podLabels },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: args.from?.map(peerSelector), ports: ports.map((p) => ({ protocol: "TCP", port: p.port })) }],
                },
            },
            { parent: this },
        );
        this.registerOutputs({ ingressPolicyName: this.ingressPolicy.metadata.name });
    }
}

function selectPorts(name: string, to: NetworkPeer, portNames: string[] | undefined) {
    const checker = new ArgumentChecker(`connection "${name}"`);
    checker.require(to.ports.length > 0, `${to.name} serves no ports, so nothing can connect to it`);
    const known = to.ports.map((p) => p.name);
    for (const wanted of portNames ?? []) {
        checker.require(known.includes(wanted), `port "${wanted}" is not served by ${to.name}; it serves: ${known.join(", ")}`);
    }
    checker.throwIfAny();
    return portNames === undefined ? to.ports : to.ports.filter((p) => portNames.includes(p.name));
}

/** Selects a peer's pods by labels, in its own namespace (so it also works across namespaces). */
function peerSelector(peer: PodSelection): k8s.types.input.networking.v1.NetworkPolicyPeer {
    return {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } },
        podSelector: { matchLabels: peer.podLabels },
    };
}

/**
 * Lets `from` call `to` (Connection "<from>-to-<to>"). The Connection's parent is the caller when
 * the caller is a component, whichever side declared it (`web.allowTo(db)` or `db.allowFrom(web)`),
 * so its URN does not depend on who wrote the line; otherwise the declaring side. A connection
 * that the callee declared used to be the callee's child: the alias keeps such a stack's policies
 * in place instead of creating same-named ones beside them.
 */
export function connect(from: PeerSource, to: PeerSource, declaredBy: pulumi.Resource, portNames?: string[]): Connection {
    const [caller, callee] = [peerOf(from), peerOf(to)];
    const parent = pulumi.Resource.isInstance(from) ? from : declaredBy;
    const aliases = parent === declaredBy ? [] : [{ parent: declaredBy }];
    return new Connection(`${caller.name}-to-${callee.name}`, { from: caller, to: callee, portNames }, { parent, aliases });
}

/** Lets the pods in `from`, or anything when it is undefined, reach `to` (PublicAccess "<to>-public"), as a child of `parent`. */
export function openToOutside(to: PeerSource, parent: pulumi.Resource, from?: PodSelection[]): PublicAccess {
    const peer = peerOf(to);
    return new PublicAccess(`${peer.name}-public`, { to: peer, from }, { parent });
}
