import { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    PolicyConfig,
    ResourceRule,
    immutableImages,
    noSecretsInEnv,
    probesPresent,
    replicatedWorkloadsHavePdb,
    resourcesSet,
    restrictedSecurityContext,
} from "./rules";

const CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: { requireDigest: { type: "boolean", default: false } },
};

function resourcePolicy(name: string, description: string, rule: ResourceRule, configSchema?: PolicyConfigSchema): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        configSchema,
        validateResource: (args, reportViolation) => {
            const config = configSchema ? args.getConfig<PolicyConfig>() : {};
            for (const violation of rule(args.type, args.props, config)) {
                reportViolation(violation);
            }
        },
    };
}

/** The rules every program built on the components must keep. */
export const policies: Array<ResourceValidationPolicy | StackValidationPolicy> = [
    resourcePolicy(
        "restricted-security-context",
        "Containers meet the restricted Pod Security Standard and run with a read-only root filesystem.",
        restrictedSecurityContext,
    ),
    resourcePolicy("probes-present", "Long-running containers have a liveness probe, and a readiness probe when they serve a port.", probesPresent),
    resourcePolicy("resources-set", "Containers set CPU and memory requests and limits.", resourcesSet),
    resourcePolicy(
        "immutable-images",
        "Images are never 'latest' or untagged, and are pinned by digest where requireDigest is on (staging, prod).",
        immutableImages,
        CONFIG_SCHEMA,
    ),
    resourcePolicy("no-secrets-in-env", "Secret values are mounted as files, never passed as environment variables.", noSecretsInEnv),
    {
        name: "pdb-for-replicated-workloads",
        description: "Deployments and StatefulSets that can run more than one replica have a PodDisruptionBudget.",
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            const resources = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }));
            for (const { message } of replicatedWorkloadsHavePdb(resources)) {
                reportViolation(message);
            }
        },
    },
];
