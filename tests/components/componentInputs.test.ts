import { strict as assert } from "assert";
import { WebService } from "../../components/webService";
import { WebServiceArgs } from "../../components/webServiceArgs";
import { renderUnderMocks } from "../harness/render";

const base: WebServiceArgs = { namespace: "ns", image: "example/app@sha256:" + "a".repeat(64) };

describe("component inputs (what a component sends the engine, and so waits for)", () => {
    it("a caller names its callee instead of holding it, so it does not wait for the callee's objects", async () => {
        const rec = await renderUnderMocks(() => {
            const callee = new WebService("api", base);
            new WebService("web", { ...base, calls: [{ service: callee }] });
        });
        const web = rec.resources.find((r) => r.type === "fastapi-k8s:index:WebService" && r.name === "web")!;
        assert.deepEqual(
            web.inputs.calls.map((c: { service: unknown }) => c.service),
            ["api"],
        );
        const calleeObjects = rec.resources.filter((r) => r.type.startsWith("kubernetes:") && r.name.startsWith("api"));
        assert.ok(calleeObjects.length >= 3, "the callee made its objects");
        const waitsFor = (web.options.dependencies ?? []).filter((urn) => calleeObjects.some((o) => urn.endsWith(`::${o.name}`)));
        assert.deepEqual(waitsFor, [], "the caller's registration depends on none of the callee's objects");
    });
});
