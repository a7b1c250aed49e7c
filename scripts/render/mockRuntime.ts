import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/** A resource the program registered, as the mocks saw it. */
export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** Resource options as they went over the wire to the engine. */
    options: {
        protect: boolean;
        retainOnDelete: boolean;
        customTimeouts?: { create: string; update: string };
        dependencies?: string[];
        /** The parent's URN; empty for a resource registered at the top of the program. */
        parent?: string;
    };
}

/** How a registration is known: "type::name", unique within a stack. */
export function registrationKey(type: string, name: string): string {
    return `${type}::${name}`;
}

/** The key that marks a secret value in the resource-monitor protocol. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** Replaces every secret envelope by its value, so tests see what a rendered manifest would hold. */
export function unwrapSecrets(value: any): any {
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value !== null && typeof value === "object") {
        if (SECRET_SIGNATURE in value) {
            return unwrapSecrets(value.value);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** The marker every mocked random password starts with, so tests can hunt for it in clear. */
export const MOCK_PASSWORD_PREFIX = "mockpw";

/** Records every resource registered under the Pulumi mocks. */
export class ResourceRecorder {
    readonly resources: RecordedResource[] = [];

    /** Every recorded resource of a type token, e.g. "kubernetes:apps/v1:Deployment". */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one Kubernetes object of `type` whose metadata.name is `name`. */
    object(type: string, name: string): RecordedResource {
        const found = this.ofType(type).filter((r) => r.inputs.metadata?.name === name);
        if (found.length !== 1) {
            const names = this.ofType(type).map((r) => r.inputs.metadata?.name);
            throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${names.join(", ")})`);
        }
        return found[0];
    }

    /** Every registration as "type::name", sorted: what two evaluations compare to be the same program. */
    get registrations(): string[] {
        return this.resources.map((r) => registrationKey(r.type, r.name)).sort();
    }

    /** The passwords the mocks generated. */
    get passwords(): string[] {
        return this.ofType("random:index/randomPassword:RandomPassword").map((r) => mockPassword(r.name));
    }
}

function mockPassword(name: string): string {
    return `${MOCK_PASSWORD_PREFIX}${createHash("sha256").update(name).digest("hex").slice(0, 24)}`;
}

/** What a provider would add to a resource's inputs to form its state. */
function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
    switch (args.type) {
        case "random:index/randomPassword:RandomPassword":
            return { ...args.inputs, result: mockPassword(args.name) };
        case "docker:index/image:Image": {
            const repository = String(args.inputs.imageName).split(":")[0];
            const digest = createHash("sha256").update(args.name).digest("hex");
            return { ...args.inputs, repoDigest: `${repository}@sha256:${digest}` };
        }
        default:
            if (args.type.startsWith("kubernetes:")) {
                // Autonaming is the real provider's job; mimic it for objects without a name.
                const metadata = { ...args.inputs.metadata };
                metadata.name ??= `${args.name}-mock`;
                return { ...args.inputs, metadata, ...serviceStatus(args) };
            }
            return args.inputs;
    }
}

/** The address a cloud's load-balancer controller would give a LoadBalancer Service (TEST-NET-1). */
export const MOCK_LOAD_BALANCER_IP = "192.0.2.10";

function serviceStatus(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const isLoadBalancer = args.type === "kubernetes:core/v1:Service" && args.inputs.spec?.type === "LoadBalancer";
    return isLoadBalancer ? { status: { loadBalancer: { ingress: [{ ip: MOCK_LOAD_BALANCER_IP }] } } } : {};
}

/**
 * Installs Pulumi mocks that record every resource, with the given stack and configuration
 * (full keys such as "fastapi-k8s:frontend"; objects are passed as JSON like the engine does).
 */
export async function installMocks(
    stack: string,
    config: Record<string, unknown> = {},
    project = "fastapi-k8s",
    /** Full keys handed over as secrets, as `pulumi config set --secret` marks them. */
    secretKeys: string[] = [],
): Promise<ResourceRecorder> {
    const recorder = new ResourceRecorder();
    const asText = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    pulumi.runtime.setAllConfig(asText, secretKeys);
    const optionsByName = new Map<string, RecordedResource["options"]>();
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const state = mockState(args);
                recorder.resources.push({
                    type: args.type,
                    name: args.name,
                    inputs: unwrapSecrets(args.inputs),
                    options: optionsByName.get(registrationKey(args.type, args.name)) ?? { protect: false, retainOnDelete: false },
                });
                const id = args.type.startsWith("kubernetes:") ? `${args.name}-id` : `${args.name}_id`;
                return { id, state };
            },
            call(args) {
                return args.inputs;
            },
        },
        project,
        stack,
        false,
    );
    // The mocks API hides resource options; read them off the registration request itself.
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: unknown) => {
        optionsByName.set(registrationKey(req.getType(), req.getName()), {
            protect: Boolean(req.getProtect()),
            retainOnDelete: Boolean(req.getRetainondelete()),
            ...customTimeoutsOf(req),
            dependencies: req.getDependenciesList(),
            parent: req.getParent(),
        });
        return register(req, callback);
    };
    return recorder;
}

/** The custom timeouts of a registration request, when any is set. */
function customTimeoutsOf(req: any): Pick<RecordedResource["options"], "customTimeouts"> {
    const timeouts = req.getCustomtimeouts()?.toObject();
    return timeouts && (timeouts.create || timeouts.update) ? { customTimeouts: { create: timeouts.create, update: timeouts.update } } : {};
}

/** Resolves an Output's value (undefined when unknown). */
export function valueOf<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** Whether an Output is marked secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/**
 * Waits until every registration has reached the mocks: the count must stay unchanged over
 * several turns of the event loop (registrations chain through promises and timers).
 */
export async function settle(recorder: ResourceRecorder, quietTurns = 20): Promise<void> {
    let last = -1;
    let quiet = 0;
    const deadline = Date.now() + 10_000;
    while (quiet < quietTurns) {
        if (Date.now() > deadline) {
            throw new Error("resource registrations did not settle within 10 s");
        }
        await new Promise((r) => setTimeout(r, 2));
        quiet = recorder.resources.length === last ? quiet + 1 : 0;
        last = recorder.resources.length;
    }
}
