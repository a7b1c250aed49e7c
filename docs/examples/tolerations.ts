/**
 * The supported escape hatch for what the components' arguments do not cover: Pulumi's
 * `transforms` resource option. Given to a component, it runs for the component and every child,
 * in the engine, before each is registered. This one lets a WebService's pods run on nodes tainted
 * `dedicated=web:NoSchedule` and leaves every other object as the component made it.
 * Tested on the real engine by tests/engine/transforms.engine.ts; see docs/naming.md.
 */
import * as pulumi from "@pulumi/pulumi";

const TOLERATION = { key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule" };

export const tolerateDedicatedWebNodes: pulumi.ResourceTransform = ({ type, props, opts }) => {
    if (type !== "kubernetes:apps/v1:Deployment") {
        return undefined; // unchanged
    }
    const template = props.spec.template;
    const podSpec = { ...template.spec, tolerations: [...(template.spec.tolerations ?? []), TOLERATION] };
    return { props: { ...props, spec: { ...props.spec, template: { ...template, spec: podSpec } } }, opts };
};

// Usage:
//   new WebService("api", { namespace, image }, { transforms: [tolerateDedicatedWebNodes] });
