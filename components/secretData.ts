import * as pulumi from "@pulumi/pulumi";

/**
 * Secret `data` (base64) from plain values, kept secret. Components set `data` rather than
 * `stringData`: the Kubernetes provider turns stringData into data once values are known, which
 * makes every update plan saved at preview (when generated values are still unknown) fail to apply.
 */
export function secretData(values: Record<string, pulumi.Input<string>>): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(
        Object.entries(values).map(([key, value]) => [key, pulumi.output(value).apply((v) => Buffer.from(v, "utf8").toString("base64"))]),
    );
}
