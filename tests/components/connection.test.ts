import { strict as assert } from "assert";
import { Connection } from "../../components/connection";
import { InvalidArgumentError } from "../../components/errors";
import { NetworkPeer } from "../../components/networkPeer";
import { PostgresDatabase } from "../../components/postgresDatabase";
import { WebService } from "../../components/webService";
import { installMocks, valueOf } from "../../scripts/render/mockRuntime";
import { renderUnderMocks, T } from "../harness/render";

const caller: NetworkPeer = { name: "web", namespace: "a", podLabels: { app: "web" }, ports: [{ name: "http", port: 8000 }] };
const callee: NetworkPeer = {
    name: "api",
    namespace: "b",
    podLabels: { app: "api" },
    ports: [
        { name: "http", port: 8000 },
        { name: "metrics", port: 9090 },
    ],
};

describe("Connection", () => {
    it("writes egress on the caller and ingress on the callee, limited to the callee's ports", async () => {
        const rec = await renderUnderMocks(() => new Connection("web-api", { from: caller, to: callee }));
        const egress = rec.object(T.networkPolicy, "web-to-api-egress").inputs;
        assert.equal(egress.metadata.namespace, "a");
        assert.deepEqual(egress.spec.podSelector.matchLabels, { app: "web" });
        assert.deepEqual(egress.spec.egress[0].to[0], {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "b" } },
            podSelector: { matchLabels: { app: "api" } },
        });
        assert.deepEqual(
            egress.spec.egress[0].ports.map((p: any) => p.port),
            [8000, 9090],
        );
        const ingress = rec.object(T.networkPolicy, "web-to-api-ingress").inputs;
        assert.equal(ingress.metadata.namespace, "b");
        assert.deepEqual(ingress.spec.podSelector.matchLabels, { app: "api" });
        assert.deepEqual(ingress.spec.ingress[0].from[0].podSelector.matchLabels, { app: "web" });
    });

    it("can narrow a connection to named ports, and refuses ports the callee does not serve", async () => {
        const rec = await renderUnderMocks(() => new Connection("web-api", { from: caller, to: callee, portNames: ["http"] }));
        assert.deepEqual(rec.object(T.networkPolicy, "web-to-api-ingress").inputs.spec.ingress[0].ports, [{ protocol: "TCP", port: 8000 }]);
        const fresh = await installMocks("test");
        assert.throws(
            () => new Connection("bad", { from: caller, to: callee, portNames: ["grpc"] }),
            (e: Error) => e instanceof InvalidArgumentError && /port "grpc" is not served by api; it serves: http, metrics/.test(e.message),
        );
        assert.equal(fresh.resources.length, 0);
    });

    it("WebService.allowTo and allowFromAnywhere derive selectors and ports from the services", async () => {
        const rec = await renderUnderMocks(() => {
            const web = new WebService("web", { namespace: "ns", image: "example/web:1", port: 8080 });
            const api = new WebService("api", { namespace: "ns", image: "example/api:1", port: 9000 });
            web.allowTo(api);
            web.allowFromAnywhere();
        });
        const ingress = rec.object(T.networkPolicy, "web-to-api-ingress").inputs.spec;
        assert.deepEqual(ingress.podSelector.matchLabels, rec.object(T.deployment, "api").inputs.spec.selector.matchLabels);
        assert.deepEqual(ingress.ingress[0].ports, [{ protocol: "TCP", port: 9000 }]);
        const open = rec.object(T.networkPolicy, "web-public-ingress").inputs.spec;
        assert.equal(open.ingress[0].from, undefined, "any source");
        assert.deepEqual(open.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
    });

    it("allowPublicTraffic admits anyone at a node port or load balancer, else only the Ingress's controller", async () => {
        const ingress = { host: "web.example.com" };
        const rec = await renderUnderMocks(() => {
            new WebService("nodeport", { namespace: "ns", image: "example/web:1", service: { type: "NodePort" }, ingress }).allowPublicTraffic();
            new WebService("balanced", { namespace: "ns", image: "example/web:1", service: { type: "LoadBalancer" } }).allowPublicTraffic();
            new WebService("routed", { namespace: "ns", image: "example/web:1", ingress }).allowPublicTraffic();
            const controller = { namespace: "ingress-nginx", podLabels: { "app.kubernetes.io/name": "ingress-nginx" } };
            new WebService("nginx", { namespace: "ns", image: "example/web:1", ingress: { ...ingress, controller } }).allowPublicTraffic();
        });
        const sources = (name: string) => rec.object(T.networkPolicy, `${name}-public-ingress`).inputs.spec.ingress[0].from;
        assert.equal(sources("nodeport"), undefined, "node ports bring traffic from nodes and outside addresses");
        assert.equal(sources("balanced"), undefined);
        assert.deepEqual(sources("routed"), [
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } },
            },
        ]);
        assert.deepEqual(sources("nginx"), [
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } },
            },
        ]);
    });

    it("allowPublicTraffic refuses a service nothing outside reaches, and the controller is checked as the API server would", async () => {
        await installMocks("test");
        const internal = new WebService("internal", { namespace: "ns", image: "example/web:1" });
        assert.throws(
            () => internal.allowPublicTraffic(),
            (e: Error) => e instanceof InvalidArgumentError && /neither an Ingress nor a NodePort or LoadBalancer Service/.test(e.message),
        );
        const fresh = await installMocks("test");
        const controller = { namespace: "Ingress_NGINX", podLabels: { "bad key!": "x", app: "-no-" } };
        assert.throws(
            () => new WebService("web", { namespace: "ns", image: "example/web:1", ingress: { host: "web.example.com", controller } }),
            (e: Error) =>
                e instanceof InvalidArgumentError &&
                /ingress\.controller\.namespace = "Ingress_NGINX" must be a DNS label/.test(e.message) &&
                /ingress\.controller\.podLabels key = "bad key!" must be a label key/.test(e.message) &&
                /ingress\.controller\.podLabels\["app"\] = "-no-" must be usable as a label value/.test(e.message),
        );
        assert.throws(
            () =>
                new WebService("web", {
                    namespace: "ns",
                    image: "example/web:1",
                    ingress: { host: "web.example.com", controller: { namespace: "x", podLabels: {} } },
                }),
            /ingress\.controller\.podLabels = \{\} must name at least one label: an empty selector admits every pod of the namespace/,
        );
        assert.equal(fresh.resources.length, 0);
    });

    it("is the caller's child whichever side declares it, so its URN does not depend on who wrote the line", async () => {
        await installMocks("test");
        const web = new WebService("web", { namespace: "ns", image: "example/web:1" });
        const db = new PostgresDatabase("db", { namespace: "ns" });
        const api = new WebService("api", { namespace: "ns", image: "example/api:1" });
        const declaredByCallee = db.allowFrom(web);
        const declaredByCaller = web.allowTo(api);
        const fromPeer = new Connection("peer-to-api", { from: caller, to: api.peer });
        assert.match(await valueOf(declaredByCallee.urn), /::fastapi-k8s:index:WebService\$fastapi-k8s:index:Connection::web-to-db$/);
        assert.match(await valueOf(declaredByCaller.urn), /::fastapi-k8s:index:WebService\$fastapi-k8s:index:Connection::web-to-api$/);
        assert.match(await valueOf(fromPeer.urn), /::fastapi-k8s:index:Connection::peer-to-api$/, "a plain peer has no component to belong to");
    });
});
