import * as pulumi from "@pulumi/pulumi";
import { ArgumentProblem } from "./errors";
import { HttpWorkload } from "./httpWorkload";
import { SERVICE_KEY_FILES, ServiceKey } from "./serviceKey";
import { SecretFileMount } from "./webServiceArgs";

/**
 * Where a service finds its keys, and the settings that name them: the contract between these
 * components and the FastAPI services (app-images/common/fastapi_common reads the same paths).
 */
export const KEY_PATHS = {
    /** One subdirectory per caller whose key this service accepts (files `current` and `previous`). */
    inboundKeysDir: "/etc/fastapi-k8s/inbound-keys",
    /** The key this service presents to `callee`. */
    outboundKeyDir: (callee: string) => `/etc/fastapi-k8s/outbound-keys/${callee}`,
};
/** The setting that names `KEY_PATHS.inboundKeysDir`. */
export const INBOUND_KEYS_ENV = "API_KEYS_DIR";

/** A service this one calls. */
export interface ServiceCall {
    /** The service called; its in-cluster URL is passed as `<PREFIX>_URL`. */
    service: HttpWorkload;
    /**
     * The key presented (a ServiceKey from this service to that one, which the callee lists in its
     * `acceptKeys`): mounted under /etc/fastapi-k8s/outbound-keys/<callee>, its current file passed
     * as `<PREFIX>_API_KEY_FILE`. Default: no key.
     */
    key?: ServiceKey;
    /** The callee's ports (by name) this service may reach. Default: all it serves. */
    portNames?: string[];
    /** The settings' prefix. Default: the callee's name in capitals, "-" as "_" ("analytics" → "ANALYTICS"). */
    envPrefix?: string;
}

/** What a service's declared calls and accepted keys add to its settings and files. */
export interface KeyWiring {
    env: Record<string, pulumi.Input<string>>;
    secretFiles: SecretFileMount[];
    problems: ArgumentProblem[];
}

/**
 * The settings and Secret mounts that let service `name` make `calls` and accept `acceptKeys`, and
 * what is wrong with them: a key between other services, or a setting that `env` already sets.
 */
export function keyWiring(name: string, calls: ServiceCall[], acceptKeys: ServiceKey[], env: Record<string, unknown>): KeyWiring {
    const wiring: KeyWiring = { env: {}, secretFiles: [], problems: [] };
    const set = (field: string, key: string, value: pulumi.Input<string>) => {
        if (key in env || key in wiring.env) {
            wiring.problems.push({ field, value: key, message: `sets a setting that is already set; rename one (envPrefix) or drop it from env` });
        }
        wiring.env[key] = value;
    };
    acceptKeys.forEach((key, i) => {
        if (key.callee !== name) {
            wiring.problems.push({
                field: `acceptKeys[${i}]`,
                value: `${key.caller} → ${key.callee}`,
                message: `is a key for calls to "${key.callee}", not to "${name}"`,
            });
        }
        wiring.secretFiles.push({ secretName: key.secretName, mountPath: `${KEY_PATHS.inboundKeysDir}/${key.caller}` });
    });
    if (acceptKeys.length > 0) {
        set("acceptKeys", INBOUND_KEYS_ENV, KEY_PATHS.inboundKeysDir);
    }
    calls.forEach((call, i) => {
        const callee = call.service.peer.name;
        const prefix = call.envPrefix ?? callee.toUpperCase().replace(/-/g, "_");
        set(`calls[${i}]`, `${prefix}_URL`, call.service.url);
        if (call.key) {
            if (call.key.caller !== name || call.key.callee !== callee) {
                wiring.problems.push({
                    field: `calls[${i}].key`,
                    value: `${call.key.caller} → ${call.key.callee}`,
                    message: `is not a key from "${name}" to "${callee}"`,
                });
            }
            wiring.secretFiles.push({ secretName: call.key.secretName, mountPath: KEY_PATHS.outboundKeyDir(callee) });
            set(`calls[${i}]`, `${prefix}_API_KEY_FILE`, `${KEY_PATHS.outboundKeyDir(callee)}/${SERVICE_KEY_FILES.current}`);
        }
    });
    return wiring;
}
