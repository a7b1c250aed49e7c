import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Connection, PublicAccess, connect, openToOutside } from "./connection";
import { COLORS, Color, choiceProblem } from "./choices";
import { ArgumentChecker, InvalidArgumentError } from "./errors";
import { HttpWorkload, loadBalancerAddress } from "./httpWorkload";
import { publicSources, routeIngress, routeUrl } from "./ingress";
import { selectorLabels, workloadLabels } from "./labels";
import { NetworkPeer, PeerSource, clusterHost } from "./networkPeer";
import { keyWiring } from "./serviceCalls";
import { WebService } from "./webService";
import { resolveWebServiceArgs } from "./webServiceSettings";
import { IngressRoute, ServiceExposure, WebServiceArgs } from "./webServiceArgs";
import { componentInputs } from "./componentInputs";

/** What one colour runs. */
export interface ColorRelease {
    /** The image reference of this colour. */
    image: pulumi.Input<string>;
    /** The application version of this colour (the app.kubernetes.io/version label). */
    version: string;
    /** Settings of this colour only, merged over the shared `env`. */
    env?: Record<string, pulumi.Input<string>>;
}

/** Arguments of a BlueGreenService: the WebService arguments shared by both colours, plus the colours. */
export interface BlueGreenServiceArgs extends Omit<WebServiceArgs, "image" | "version" | "service" | "ingress" | "podLabels"> {
    /** The blue release. */
    blue: ColorRelease;
    /** The green release. */
    green: ColorRelease;
    /** "blue" or "green": the colour the live Service (and Ingress) sends traffic to. */
    activeColor: Color;
    /** Exposure of the live Service. Default ClusterIP. */
    service?: ServiceExposure;
    /** An optional Ingress in front of the live Service. */
    ingress?: IngressRoute;
}

const GROUP_LABEL = "fastapi-k8s/blue-green";

/**
 * Two releases of one service side by side: a Deployment (and preview Service) per colour, and a
 * live Service whose selector picks the active colour. Switching `activeColor` moves all traffic at
 * once; the idle colour keeps running, so switching back is a rollback.
 */
export class BlueGreenService extends pulumi.ComponentResource implements HttpWorkload {
    /** The blue release. */
    public readonly blue: WebService;
    /** The green release. */
    public readonly green: WebService;
    /** The live Service, which clients and the Ingress use; it selects the active colour's pods. */
    public readonly service: k8s.core.v1.Service;
    /** The address the cluster gave the live Service when its type is LoadBalancer; null otherwise. */
    public readonly loadBalancerAddress: pulumi.Output<string | null>;
    /** The colour receiving traffic. */
    public readonly activeColor: Color;
    /** The in-cluster URL of the live Service. */
    public readonly url: pulumi.Output<string>;
    /** The public URL when there is an Ingress. */
    public readonly publicUrl?: string;
    /** Both colours' pods, for NetworkPolicies. */
    public readonly peer: NetworkPeer;
    private readonly exposure: { service?: ServiceExposure; ingress?: IngressRoute };

    constructor(name: string, args: BlueGreenServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const { blue, green, activeColor, service, ingress, calls, acceptKeys, ...rest } = args;
        // Calls and accepted keys belong to the service under its own name: each colour gets
        // their settings and files, the service one Connection per call for both colours' pods.
        const keys = keyWiring(name, calls ?? [], acceptKeys ?? [], rest.env ?? {});
        const shared = { ...rest, env: { ...rest.env, ...keys.env }, secretFiles: [...(rest.secretFiles ?? []), ...keys.secretFiles] };
        const checker = new ArgumentChecker(`BlueGreenService "${name}"`);
        checker.add(choiceProblem("activeColor", activeColor, COLORS), ...keys.problems);
        // Both colours, and the live Service and Ingress, are checked before anything is
        // registered: a bad green release must not leave a blue one behind.
        for (const color of COLORS) {
            checker.report(...colorProblems(`${name}-${color}`, color, { ...shared, service, ingress }, args[color]));
        }
        checker.throwIfAny();
        super("fastapi-k8s:index:BlueGreenService", name, componentInputs(args), opts);
        this.activeColor = activeColor;

        const release = (color: Color, spec: ColorRelease) =>
            new WebService(
                `${name}-${color}`,
                {
                    ...shared,
                    image: spec.image,
                    version: spec.version,
                    podLabels: { [GROUP_LABEL]: name, "fastapi-k8s/color": color },
                    env: { ...shared.env, ...spec.env, RELEASE_COLOR: color },
                },
                { parent: this },
            );
        this.blue = release("blue", blue);
        this.green = release("green", green);
        const active = activeColor === "blue" ? this.blue : this.green;
        this.peer = { ...active.peer, name, podLabels: { [GROUP_LABEL]: name } };
        this.exposure = { service, ingress };

        const labels = workloadLabels(name, { component: args.component });
        this.service = new k8s.core.v1.Service(
            `${name}-live`,
            {
                metadata: { name, namespace: args.namespace, labels, annotations: { "fastapi-k8s/active-color": activeColor } },
                spec: {
                    type: service?.type ?? "ClusterIP",
                    selector: selectorLabels(`${name}-${activeColor}`),
                    ports: active.peer.ports.map((p) => ({
                        name: p.name,
                        port: p.port,
                        targetPort: p.name,
                        protocol: "TCP",
                        nodePort: service?.nodePort,
                    })),
                },
            },
            { parent: this },
        );
        if (ingress) {
            routeIngress(`${name}-ingress`, { name, namespace: args.namespace, labels }, ingress, this.service.metadata.name, "http", this);
            this.publicUrl = routeUrl(ingress);
        }
        for (const call of calls ?? []) {
            this.allowTo(call.service, call.portNames);
        }
        this.url = pulumi.interpolate`http://${clusterHost(name, args.namespace)}:${active.peer.ports[0].port}`;
        this.loadBalancerAddress = loadBalancerAddress(this.service);
        this.registerOutputs({ activeColor, url: this.url });
    }

    /** The live Service (its name before HttpWorkload). */
    get liveService(): k8s.core.v1.Service {
        return this.service;
    }

    /** Lets both colours call `target` on its ports (all, or those named): egress here, ingress there. */
    allowTo(target: PeerSource, portNames?: string[]): Connection {
        return connect(this, target, this, portNames);
    }

    /** Lets anything reach both colours' ports (the live Service, the Ingress, the preview Services). */
    allowFromAnywhere(): PublicAccess {
        return openToOutside(this, this);
    }

    /** Admits what the live Service's exposure brings to both colours: anyone behind a NodePort or LoadBalancer, else only the Ingress's controller. */
    allowPublicTraffic(): PublicAccess {
        return openToOutside(this, this, publicSources(this.peer.name, this.exposure.service, this.exposure.ingress));
    }
}

/** What WebService would refuse in one colour's arguments (with the live Service and Ingress). */
function colorProblems(name: string, color: Color, shared: Omit<WebServiceArgs, "image" | "version">, spec: ColorRelease | undefined): string[] {
    try {
        resolveWebServiceArgs(name, { ...shared, image: spec?.image, version: spec?.version, env: { ...shared.env, ...spec?.env } } as WebServiceArgs);
        return [];
    } catch (error) {
        if (error instanceof InvalidArgumentError) {
            return error.problems.map((problem) => `${color}: ${problem}`);
        }
        throw error;
    }
}
