/**
 * Program evaluation under Pulumi mocks, against a raw program that registers the very same
 * Kubernetes objects as typed @pulumi/kubernetes resources (no components, no validation, no
 * random passwords): the cost of what the components add per object. A third variant, the SDK's
 * floor, makes every registration the program makes, as the program made it, and nothing else: the
 * same objects, the random passwords with the same inputs, an empty component in place of each
 * component with the inputs it sent, each under the parent it had, every value already computed.
 * That is what the program would cost if the components' own code and wiring were free, and it
 * splits the gap to the raw program into the SDK's price for the component tree and the
 * components' own work. Modules are loaded and a warm-up round recorded before anything is timed,
 * so TypeScript compilation is not in the figure.
 * Loaded the way `pulumi up` loads the program (stacks/main.js): through Sucrase's require hook,
 * with no source maps to consult when the SDK records each resource's stack.
 *
 *   node --require sucrase/register/ts scripts/bench/evaluation.ts [--rounds 5]
 *
 * Prints JSON: per case, the objects registered and each variant's milliseconds per round.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { parseArgs } from "util";
import { WebService } from "../../components";
import { RecordedResource, ResourceRecorder, installMocks, registrationKey, settle } from "../render/mockRuntime";
import { resourceName, typeChain } from "../release/planAnalysis";
import { platformProgram } from "../../stacks/program";
import { stackFileConfig } from "../../stacks/stackFiles";

type Constructor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.Resource; // eslint-disable-line @typescript-eslint/no-explicit-any -- any object's inputs

/** The typed resource class of each kind the platform renders. */
const TYPED: Record<string, Constructor> = {
    "kubernetes:core/v1:Namespace": k8s.core.v1.Namespace,
    "kubernetes:core/v1:ResourceQuota": k8s.core.v1.ResourceQuota,
    "kubernetes:core/v1:LimitRange": k8s.core.v1.LimitRange,
    "kubernetes:core/v1:ConfigMap": k8s.core.v1.ConfigMap,
    "kubernetes:core/v1:Secret": k8s.core.v1.Secret,
    "kubernetes:core/v1:Service": k8s.core.v1.Service,
    "kubernetes:core/v1:PersistentVolumeClaim": k8s.core.v1.PersistentVolumeClaim,
    "kubernetes:batch/v1:CronJob": k8s.batch.v1.CronJob,
    "kubernetes:apps/v1:Deployment": k8s.apps.v1.Deployment,
    "kubernetes:apps/v1:StatefulSet": k8s.apps.v1.StatefulSet,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8s.networking.v1.NetworkPolicy,
    "kubernetes:networking.k8s.io/v1:Ingress": k8s.networking.v1.Ingress,
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "kubernetes:policy/v1:PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
};

const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

/** A component that registers itself with the given inputs, and its (empty) outputs, and does nothing else. */
class EmptyComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs, opts: pulumi.ComponentResourceOptions) {
        super(type, name, inputs, opts);
        this.registerOutputs({});
    }
}

interface Case {
    stack: string;
    config: Record<string, unknown>;
    build: () => void;
}

const IMAGE = `registry.example.com/bench/api@sha256:${"a".repeat(64)}`;
const CASES: Record<string, Case> = {
    "prod platform": { stack: "prod", config: stackFileConfig("prod"), build: () => void platformProgram() },
    "100 WebServices": {
        stack: "bench",
        config: {},
        build: () => {
            for (let i = 0; i < 100; i++) {
                new WebService(`api-${i}`, { namespace: "bench", image: IMAGE, replicas: 2 });
            }
        },
    },
};

/** Resolves once `count` registrations have reached the mocks (polled on every turn of the loop). */
async function registered(recorder: ResourceRecorder, count: number): Promise<void> {
    while (recorder.resources.length < count) {
        await new Promise((resolve) => setImmediate(resolve));
    }
}

/** Milliseconds from the first constructor to the last registration. */
async function timed(stack: string, config: Record<string, unknown>, build: () => void, count: number): Promise<number> {
    const recorder = await installMocks(stack, config);
    const started = process.hrtime.bigint();
    build();
    await registered(recorder, count);
    return Number(process.hrtime.bigint() - started) / 1e6;
}

function rawProgram(objects: RecordedResource[]): () => void {
    return () => {
        for (const object of objects) {
            new TYPED[object.type](object.name, object.inputs);
        }
    };
}

/** A component's type token ("<package>:index:<Class>"); Kubernetes and random tokens name a module instead. */
function isComponentType(type: string): boolean {
    return type.split(":")[1] === "index";
}

/** The registration key of the resource a URN names (urn:pulumi:stack::project::parent$type::name). */
function keyOfUrn(urn: string): string {
    return registrationKey(typeChain(urn).pop() as string, resourceName(urn));
}

/** Each registration with its parent ("type::name < parent"), sorted: the tree the floor must rebuild. */
function tree(registrations: RecordedResource[]): string {
    return registrations
        .map((r) => `${registrationKey(r.type, r.name)} < ${r.options.parent ? keyOfUrn(r.options.parent) : ""}`)
        .sort()
        .join("\n");
}

/** Every registration the program made, each as cheap as the SDK allows (see the file's comment). */
function sdkFloorProgram(registrations: RecordedResource[]): () => void {
    const registered = new Set(registrations.map((r) => registrationKey(r.type, r.name)));
    return () => {
        const made = new Map<string, pulumi.Resource>();
        for (const { type, name, inputs, options } of registrations) {
            const parentKey = options.parent ? keyOfUrn(options.parent) : undefined;
            const parent = parentKey ? made.get(parentKey) : undefined;
            if (parentKey && registered.has(parentKey) && !parent) {
                throw new Error(`${registrationKey(type, name)} was recorded before its parent ${parentKey}`);
            }
            let resource: pulumi.Resource;
            if (type in TYPED) {
                resource = new TYPED[type](name, inputs, { parent });
            } else if (type === RANDOM_PASSWORD) {
                resource = new random.RandomPassword(name, inputs as random.RandomPasswordArgs, { parent });
            } else {
                resource = new EmptyComponent(type, name, inputs, { parent }); // a component: main() checks there is nothing else
            }
            made.set(registrationKey(type, name), resource);
        }
    };
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" } } });
    const rounds = Number(values.rounds);
    const results: Record<string, unknown> = {};
    for (const [name, { stack, config, build }] of Object.entries(CASES)) {
        // The warm-up round: loads every module and records what the program registers.
        const recorder = await installMocks(stack, config);
        build();
        await settle(recorder);
        const all = [...recorder.resources];
        const objects = all.filter((r) => r.type.startsWith("kubernetes:"));
        // Kubernetes objects need their typed class (raw and floor), anything else a floor stand-in.
        const missing = [...new Set(all.map((r) => r.type))].filter((type) => !(type in TYPED) && type !== RANDOM_PASSWORD && !isComponentType(type));
        if (missing.length > 0) {
            throw new Error(`no typed class or floor stand-in for ${missing.join(", ")}`);
        }
        const variants: Record<string, () => Promise<number>> = {
            program: () => timed(stack, config, build, all.length),
            raw: () => timed(stack, config, rawProgram(objects), objects.length),
            "sdk floor": () => timed(stack, config, sdkFloorProgram(all), all.length),
        };
        const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
        await variants.raw(); // warm the other paths too
        const floor = await installMocks(stack, config);
        sdkFloorProgram(all)();
        await settle(floor);
        if (tree(floor.resources) !== tree(all)) {
            throw new Error(`the SDK floor of "${name}" does not rebuild the program's resources under the same parents`);
        }
        for (let round = 0; round < rounds; round++) {
            const order = Object.keys(variants);
            for (const variant of round % 2 === 0 ? order : order.reverse()) {
                samples[variant].push(await variants[variant]());
            }
        }
        results[name] = { kubernetesObjects: objects.length, registrations: all.length, milliseconds: samples };
    }
    console.log(JSON.stringify(results));
}

main().catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
});
