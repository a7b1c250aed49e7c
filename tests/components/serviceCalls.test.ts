import { strict as assert } from "assert";
import { BlueGreenService } from "../../components/blueGreenService";
import { InvalidArgumentError } from "../../components/errors";
import { ServiceKey } from "../../components/serviceKey";
import { WebService } from "../../components/webService";
import { RecordedResource, ResourceRecorder, installMocks, valueOf } from "../../scripts/render/mockRuntime";
import { renderUnderMocks, T } from "../harness/render";

const image = (name: string) => `example/${name}@sha256:${"a".repeat(64)}`;

/** The ConfigMap data and the Secret mounts (path → Secret name) of a Deployment's container. */
function wiringOf(rec: ResourceRecorder, deployment: string) {
    const spec = rec.object(T.deployment, deployment).inputs.spec.template.spec;
    const container = spec.containers[0];
    const settings = rec.object(T.configMap, container.envFrom[0].configMapRef.name).inputs.data;
    const secretOf = (volume: string) => spec.volumes.find((v: any) => v.name === volume)?.secret?.secretName;
    const mounts = Object.fromEntries(container.volumeMounts.filter((m: any) => secretOf(m.name)).map((m: any) => [m.mountPath, secretOf(m.name)]));
    return { settings, mounts };
}

describe("calls and accepted keys: one declaration per side", () => {
    it("gives the caller the URL, the key file and the policies, and the callee the key", async () => {
        const rec = await renderUnderMocks(() => {
            const key = new ServiceKey("web-api-key", { namespace: "ns", caller: "web", callee: "api" });
            const api = new WebService("api", { namespace: "ns", image: image("api"), port: 9000, acceptKeys: [key] });
            new WebService("web", { namespace: "ns", image: image("web"), calls: [{ service: api, key }] });
        });
        const web = wiringOf(rec, "web");
        assert.equal(web.settings.API_URL, "http://api.ns.svc:9000");
        assert.equal(web.settings.API_API_KEY_FILE, "/etc/fastapi-k8s/outbound-keys/api/current");
        assert.deepEqual(web.mounts, { "/etc/fastapi-k8s/outbound-keys/api": "api-key-web" });
        const api = wiringOf(rec, "api");
        assert.equal(api.settings.API_KEYS_DIR, "/etc/fastapi-k8s/inbound-keys");
        assert.deepEqual(api.mounts, { "/etc/fastapi-k8s/inbound-keys/web": "api-key-web" });
        // The same Connection (name and parent) as web.allowTo(api): a program moving to `calls` keeps its URNs.
        const connection = rec.resources.find((r: RecordedResource) => r.type === "fastapi-k8s:index:Connection");
        assert.equal(connection?.name, "web-to-api");
        assert.deepEqual(rec.object(T.networkPolicy, "web-to-api-egress").inputs.spec.egress[0].ports, [{ protocol: "TCP", port: 9000 }]);
    });

    it("calls without a key pass only the URL, under a prefix of the caller's choosing", async () => {
        const rec = await renderUnderMocks(() => {
            const api = new WebService("orders-api", { namespace: "ns", image: image("api") });
            new WebService("web", { namespace: "ns", image: image("web"), calls: [{ service: api, envPrefix: "ORDERS" }] });
        });
        const web = wiringOf(rec, "web");
        assert.equal(web.settings.ORDERS_URL, "http://orders-api.ns.svc:8000");
        assert.equal(web.settings.ORDERS_API_KEY_FILE, undefined);
        assert.deepEqual(web.mounts, {});
        assert.ok(rec.object(T.networkPolicy, "web-to-orders-api-ingress"));
    });

    it("a blue-green caller mounts the key in both colours and writes one Connection for both", async () => {
        const rec = await renderUnderMocks(() => {
            const key = new ServiceKey("web-api-key", { namespace: "ns", caller: "web", callee: "api" });
            const api = new WebService("api", { namespace: "ns", image: image("api"), acceptKeys: [key] });
            new BlueGreenService("web", {
                namespace: "ns",
                activeColor: "blue",
                blue: { image: image("web"), version: "1" },
                green: { image: image("web"), version: "2" },
                calls: [{ service: api, key }],
            });
        });
        for (const color of ["blue", "green"]) {
            const { settings, mounts } = wiringOf(rec, `web-${color}`);
            assert.equal(settings.API_API_KEY_FILE, "/etc/fastapi-k8s/outbound-keys/api/current", color);
            assert.deepEqual(mounts, { "/etc/fastapi-k8s/outbound-keys/api": "api-key-web" }, color);
        }
        const egress = rec.object(T.networkPolicy, "web-to-api-egress").inputs.spec;
        assert.deepEqual(egress.podSelector.matchLabels, { "fastapi-k8s/blue-green": "web" }, "both colours' pods");
        assert.equal(rec.resources.filter((r: RecordedResource) => r.type === T.networkPolicy).length, 2);
    });

    const refused: Array<[string, (key: ServiceKey, api: WebService) => void, RegExp]> = [
        [
            "a key between other services",
            (key, api) => new WebService("admin", { namespace: "ns", image: image("a"), calls: [{ service: api, key }] }),
            /calls\[0\]\.key = "web → api" is not a key from "admin" to "api"/,
        ],
        [
            "a key accepted by a service it is not for",
            (key) => new WebService("admin", { namespace: "ns", image: image("a"), acceptKeys: [key] }),
            /acceptKeys\[0\] = "web → api" is a key for calls to "api", not to "admin"/,
        ],
        [
            "a setting the call would overwrite",
            (key, api) => new WebService("web", { namespace: "ns", image: image("w"), env: { API_URL: "http://elsewhere" }, calls: [{ service: api, key }] }),
            /calls\[0\] = "API_URL" sets a setting that is already set/,
        ],
    ];
    for (const [what, build, message] of refused) {
        it(`refuses ${what}, before registering the service`, async () => {
            const rec = await installMocks("test");
            const key = new ServiceKey("web-api-key", { namespace: "ns", caller: "web", callee: "api" });
            const api = new WebService("api", { namespace: "ns", image: image("api"), acceptKeys: [key] });
            const before = rec.resources.length;
            assert.throws(
                () => build(key, api),
                (e: Error) => e instanceof InvalidArgumentError && message.test(e.message),
            );
            await valueOf(api.url);
            assert.ok(
                !rec.resources.slice(before).some((r: RecordedResource) => r.type === T.deployment && r.name !== "api"),
                "no Deployment of the refused service",
            );
        });
    }
});
