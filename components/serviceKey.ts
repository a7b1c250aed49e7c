import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { wholeNumberProblem } from "./choices";
import { ArgumentChecker } from "./errors";
import { fieldProblem, serviceNameProblem } from "./kubernetesNames";
import { platformLabels } from "./labels";
import { secretData } from "./secretData";

/** Arguments of a ServiceKey. */
export interface ServiceKeyArgs {
    /** The namespace of the Secret (the callee's and the caller's). */
    namespace: pulumi.Input<string>;
    /** The calling workload's name. */
    caller: string;
    /** The called workload's name. */
    callee: string;
    /**
     * Bump by one to rotate. The Secret then holds the new key as `current` and the one before it
     * as `previous`, so a callee that accepts both keeps working while callers roll. Default 1.
     */
    generation?: number;
    /** Key length in characters (letters and digits). Default 48. */
    length?: number;
}

/** The file names inside the Secret. */
export const SERVICE_KEY_FILES = { current: "current", previous: "previous" };

/**
 * A random API key one service presents to another, stored in a Secret that both mount as files.
 * Rotation keeps two slots; each generation replaces the older slot only.
 */
export class ServiceKey extends pulumi.ComponentResource {
    /** The Secret's name, for `secretFiles` of caller and callee. */
    public readonly secretName: pulumi.Output<string>;
    /** The key callers should send now (secret). */
    public readonly currentKey: pulumi.Output<string>;
    /** The calling workload's name. */
    public readonly caller: string;
    /** The called workload's name. */
    public readonly callee: string;

    constructor(name: string, args: ServiceKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        const generation = args.generation ?? 1;
        const length = args.length ?? 48;
        const checker = new ArgumentChecker(`ServiceKey "${name}"`);
        checker.add(fieldProblem("caller", args.caller, serviceNameProblem), fieldProblem("callee", args.callee, serviceNameProblem));
        checker.add(wholeNumberProblem("generation", generation, 1));
        checker.require(Number.isInteger(length) && length >= 32 && length <= 128, `length = ${length} must be 32-128`);
        checker.throwIfAny();
        super("fastapi-k8s:index:ServiceKey", name, args, opts);
        this.caller = args.caller;
        this.callee = args.callee;

        // Slot A changes on odd generations, slot B on even ones; the newer slot is the current key.
        const slot = (label: string, turn: number) =>
            new random.RandomPassword(`${name}-${label}`, { length, special: false, keepers: { generation: String(turn) } }, { parent: this });
        const slotA = slot("a", Math.floor((generation + 1) / 2));
        const slotB = slot("b", Math.floor(generation / 2));
        const [current, previous] = generation % 2 === 1 ? [slotA, slotB] : [slotB, slotA];
        this.currentKey = pulumi.secret(current.result);

        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: serviceKeySecretName(args),
                    namespace: args.namespace,
                    labels: { ...platformLabels(), "fastapi-k8s/caller": args.caller, "fastapi-k8s/callee": args.callee },
                },
                type: "Opaque",
                data: secretData({
                    [SERVICE_KEY_FILES.current]: this.currentKey,
                    [SERVICE_KEY_FILES.previous]: pulumi.secret(previous.result),
                }),
            },
            { parent: this },
        );
        this.secretName = secret.metadata.name;
        this.registerOutputs({ secretName: this.secretName });
    }
}

/** The name of the Secret that holds the key `caller` presents to `callee`. */
export function serviceKeySecretName(key: { caller: string; callee: string }): string {
    return `${key.callee}-key-${key.caller}`;
}
