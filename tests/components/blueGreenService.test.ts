import { strict as assert } from "assert";
import { BlueGreenService, BlueGreenServiceArgs } from "../../components/blueGreenService";
import { Color } from "../../components/choices";
import { InvalidArgumentError } from "../../components/errors";
import { WebService } from "../../components/webService";
import { installMocks, valueOf } from "../../scripts/render/mockRuntime";
import { renderUnderMocks, T } from "../harness/render";

const args = (activeColor: string): BlueGreenServiceArgs => ({
    namespace: "ns",
    activeColor: activeColor as Color,
    blue: { image: "example/web@sha256:" + "b".repeat(64), version: "1.0.0" },
    green: { image: "example/web@sha256:" + "c".repeat(64), version: "1.1.0" },
    replicas: 2,
    ingress: { host: "web.example.com" },
});

async function render(activeColor: string) {
    let service!: BlueGreenService;
    const rec = await renderUnderMocks(() => {
        service = new BlueGreenService("web", args(activeColor));
        const api = new WebService("api", { namespace: "ns", image: "example/api:1" });
        service.allowTo(api);
        service.allowFromAnywhere();
    });
    return { rec, service };
}

describe("BlueGreenService", () => {
    it("runs both colours side by side, each with its own image, version and replicas", async () => {
        const { rec } = await render("blue");
        for (const [color, image, version] of [
            ["blue", "b", "1.0.0"],
            ["green", "c", "1.1.0"],
        ]) {
            const deployment = rec.object(T.deployment, `web-${color}`).inputs;
            assert.equal(deployment.spec.replicas, 2);
            assert.equal(deployment.spec.template.spec.containers[0].image, `example/web@sha256:${image.repeat(64)}`);
            assert.equal(deployment.spec.template.metadata.labels["app.kubernetes.io/version"], version);
            assert.equal(deployment.spec.template.metadata.labels["fastapi-k8s/color"], color);
        }
    });

    it("points the live Service and the Ingress at the active colour only, and flips with activeColor", async () => {
        const blue = await render("blue");
        const green = await render("green");
        const selectorOf = (r: typeof blue) => r.rec.object(T.service, "web").inputs.spec.selector;
        const podsOf = (r: typeof blue, color: string) => r.rec.object(T.deployment, `web-${color}`).inputs.spec.template.metadata.labels;
        const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
        assert.ok(selects(selectorOf(blue), podsOf(blue, "blue")) && !selects(selectorOf(blue), podsOf(blue, "green")));
        assert.ok(selects(selectorOf(green), podsOf(green, "green")) && !selects(selectorOf(green), podsOf(green, "blue")));
        assert.equal(blue.rec.object(T.ingress, "web").inputs.spec.rules[0].http.paths[0].backend.service.name, "web");
        assert.equal(green.service.activeColor, "green");
        // The idle colour keeps running: the same Deployments exist whichever colour is live.
        for (const r of [blue, green]) {
            assert.deepEqual(
                r.rec
                    .ofType(T.deployment)
                    .map((d) => d.inputs.metadata.name)
                    .filter((n) => n.startsWith("web"))
                    .sort(),
                ["web-blue", "web-green"],
            );
        }
        assert.equal(await valueOf(blue.service.url), "http://web.ns.svc:8000");
    });

    it("opens connections for both colours", async () => {
        const { rec } = await render("blue");
        const egress = rec.object(T.networkPolicy, "web-to-api-egress").inputs.spec;
        for (const color of ["blue", "green"]) {
            const labels = rec.object(T.deployment, `web-${color}`).inputs.spec.template.metadata.labels;
            assert.ok(
                Object.entries(egress.podSelector.matchLabels).every(([k, v]) => labels[k] === v),
                color,
            );
        }
    });

    it("rejects an unknown colour before registering anything", async () => {
        const rec = await installMocks("test");
        assert.throws(
            () => new BlueGreenService("web", args("purple")),
            (e: Error) => e instanceof InvalidArgumentError && /activeColor = "purple" is not one of blue, green/.test(e.message),
        );
        assert.equal(rec.resources.length, 0);
    });
});
