import * as pulumi from "@pulumi/pulumi";

/**
 * A component's args as the inputs it sends to the engine. Pulumi sends a local component's args
 * to the engine and first waits for every resource among them — for a component such as a callee
 * WebService, for all of its children, readiness awaits included — before it registers the
 * component. So a caller declaring `calls: [{ service: backend }]` would not even start until the
 * backend was Ready. Here each resource is replaced by its name: a component waits only for the
 * values it actually uses. (docs/performance.md, "Deploy", has the figures.)
 */
export function componentInputs(args: object): pulumi.Inputs {
    return withoutResources(args) as pulumi.Inputs;
}

function withoutResources(value: unknown): unknown {
    if (pulumi.Resource.isInstance(value)) {
        return pulumi.resourceName(value as pulumi.Resource);
    }
    if (Array.isArray(value)) {
        return value.map(withoutResources);
    }
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutResources(item)]));
    }
    return value;
}
