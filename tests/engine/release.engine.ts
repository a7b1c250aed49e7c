/**
 * The release commands (scripts/release) on the real engine, every stack rendering to a directory:
 * deploy dev with pinned images, promote dev → staging → prod, switch blue-green and back, and
 * the refusals: images not pinned by digest, a declined confirmation, a plan that replaces prod's
 * StatefulSet (from the engine's own preview events), and a policy-pack violation. After each
 * refusal the stack file is as it was and nothing was applied.
 *
 * The preview events recorded here feed the plan-analysis unit tests (RECORD_FIXTURES=1 rewrites
 * tests/release/fixtures/).
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { deploy, promote, rotateDatabasePassword, switchColor } from "../../scripts/release/commands";
import { ReleaseOptions, key, stackSettings } from "../../scripts/release/release";
import { promotedSettings, releaseOf } from "../../scripts/release/releaseConfig";
import { REPO_ROOT, openStack } from "../../scripts/engine/workspace";
import { scratchProject } from "./project";
import { STACKS } from "../../stacks/stackFiles";
import { recordTiming } from "./timings";

const digestRefs = (tag: string) =>
    Object.fromEntries(
        ["frontend", "backend", "analytics"].map((s) => [
            s,
            `127.0.0.1:5000/fastapi-k8s/${s}@sha256:${crypto
                .createHash("sha256")
                .update(s + tag)
                .digest("hex")}`,
        ]),
    ) as Record<"frontend" | "backend" | "analytics", string>;

describe("release commands on the real engine (render mode)", function () {
    this.timeout(20 * 60 * 1000);
    const saved = { backend: process.env.PULUMI_BACKEND_URL, passphrase: process.env.PULUMI_CONFIG_PASSPHRASE };
    let dir: string;
    const logs: string[] = [];
    const started = Date.now();

    const options = (stack: string, extra: Partial<ReleaseOptions> = {}): ReleaseOptions => ({
        stack,
        workDir: dir,
        yes: true,
        log: (line) => logs.push(line),
        ...extra,
    });
    const fileOf = (stack: string) => path.join(dir, `Pulumi.${stack}.yaml`);
    const configOf = (stack: string) => (parse(fs.readFileSync(fileOf(stack), "utf8")) as { config: Record<string, any> }).config;
    const editConfig = (stack: string, edit: (config: Record<string, any>) => void) => {
        const settings = parse(fs.readFileSync(fileOf(stack), "utf8"));
        edit(settings.config);
        fs.writeFileSync(fileOf(stack), stringify(settings));
    };
    /** Runs `fn` with the stack file edited by hand, then puts the file back. */
    async function withEdit(stack: string, edit: (config: Record<string, any>) => void, fn: () => Promise<void>): Promise<void> {
        const original = fs.readFileSync(fileOf(stack), "utf8");
        editConfig(stack, edit);
        try {
            await fn();
        } finally {
            fs.writeFileSync(fileOf(stack), original);
        }
    }
    const rendered = (stack: string, file: string) => parse(fs.readFileSync(path.join(dir, "rendered", stack, "1-manifest", file), "utf8")) as any;
    const imageOf = (stack: string, deployment: string) =>
        rendered(stack, `apps_v1-deployment-fastapi-${stack}-${deployment}.yaml`).spec.template.spec.containers[0].image;
    const writeRefs = (refs: object) => {
        const file = path.join(dir, `refs-${crypto.randomUUID()}.json`);
        fs.writeFileSync(file, JSON.stringify(refs));
        return file;
    };
    /** Runs `action`, expecting a refusal matching `message`, with the stack file and state untouched. */
    async function refused(stack: string, action: () => Promise<unknown>, message: RegExp): Promise<void> {
        const stackHandle = await openStack({ stack, workDir: dir });
        const file = fs.readFileSync(fileOf(stack), "utf8");
        const updates = (await stackHandle.history()).length;
        await assert.rejects(action(), (error: Error) => {
            assert.match(error.message, message);
            return true;
        });
        assert.strictEqual(fs.readFileSync(fileOf(stack), "utf8"), file, "the stack file is restored");
        assert.strictEqual((await stackHandle.history()).length, updates, "no update ran");
    }

    before(() => {
        dir = scratchProject(STACKS, (stack, project) => ({ "fastapi-k8s:renderYamlToDirectory": path.join(project, "rendered", stack) }));
        process.env.PULUMI_BACKEND_URL = `file://${path.join(dir, "state")}`;
        process.env.PULUMI_CONFIG_PASSPHRASE = crypto.randomBytes(24).toString("base64url");
    });

    after(() => {
        process.env.PULUMI_BACKEND_URL = saved.backend;
        process.env.PULUMI_CONFIG_PASSPHRASE = saved.passphrase;
        if (saved.backend === undefined) delete process.env.PULUMI_BACKEND_URL;
        if (saved.passphrase === undefined) delete process.env.PULUMI_CONFIG_PASSPHRASE;
        fs.rmSync(dir, { recursive: true, force: true });
        recordTiming("release commands", { totalMs: Date.now() - started });
    });

    it("refuses to promote images that are not pinned by digest", async () => {
        const tagged = {
            frontend: "127.0.0.1:5000/fastapi-k8s/frontend:abc",
            backend: "127.0.0.1:5000/fastapi-k8s/backend:abc",
            analytics: "127.0.0.1:5000/fastapi-k8s/analytics:abc",
        };
        await deploy({ ...options("dev"), imagesFile: writeRefs(tagged) });
        await refused("staging", () => promote(options("staging")), /not pinned by digest/);
    });

    it("deploys dev with the given images: the stack file records them, the outputs carry them", async () => {
        const refs = digestRefs("v1");
        const outputs = await deploy({ ...options("dev"), imagesFile: writeRefs(refs) });
        assert.deepStrictEqual(configOf("dev")["fastapi-k8s:images"].refs, refs);
        assert.deepStrictEqual(outputs.images.value, refs);
        assert.strictEqual(imageOf("dev", "frontend"), refs.frontend);
        assert.match(
            logs[logs.length - 1],
            /^dev: released \(render mode: not validated\) in \d+\.\d s \(open \d+\.\d s, preview \d+\.\d s, apply \d+\.\d s, validation \d+\.\d s\)$/,
        );
    });

    it("promotes dev's release to staging: backend and analytics roll, the idle colour takes the frontend", async () => {
        const before = configOf("staging");
        const liveImage = before["fastapi-k8s:images"].refs.frontend;
        await promote(options("staging"));
        const refs = digestRefs("v1");
        const after = configOf("staging");
        assert.deepStrictEqual(after["fastapi-k8s:images"].refs, refs);
        assert.strictEqual(after["fastapi-k8s:frontend"].blueGreen.green.image, refs.frontend);
        assert.strictEqual(after["fastapi-k8s:frontend"].blueGreen.blue.image, liveImage, "the live colour keeps what it served");
        assert.strictEqual(imageOf("staging", "backend"), refs.backend);
        assert.strictEqual(imageOf("staging", "frontend-green"), refs.frontend);
        assert.strictEqual(imageOf("staging", "frontend-blue"), liveImage);
        assert.strictEqual(rendered("staging", "v1-service-fastapi-staging-frontend.yaml").spec.selector["app.kubernetes.io/name"], "frontend-blue");
    });

    it("switches staging's live Service to green, and back again to roll back", async () => {
        const live = () => rendered("staging", "v1-service-fastapi-staging-frontend.yaml").spec.selector["app.kubernetes.io/name"];
        await switchColor({ ...options("staging"), color: "green" });
        assert.strictEqual(live(), "frontend-green");
        assert.strictEqual(configOf("staging")["fastapi-k8s:activeColor"], "green");
        await switchColor({ ...options("staging"), color: "blue" });
        assert.strictEqual(live(), "frontend-blue");
        assert.ok(
            fs.existsSync(path.join(dir, "rendered", "staging", "1-manifest", "apps_v1-deployment-fastapi-staging-frontend-green.yaml")),
            "the idle colour keeps running",
        );
    });

    it("restores the previous release when validation fails after a successful apply", async () => {
        const stack = await openStack({ stack: "dev", workDir: dir });
        const updates = (await stack.history()).length;
        const calls: string[][] = [];
        // Fails the new release, passes the restored one: the path a failed health check takes.
        const validator = (_: unknown, services: string[]) => (calls.push(services), calls.length === 1 ? ["frontend did not answer /readyz (injected)"] : []);
        await assert.rejects(deploy({ ...options("dev", { validator }), imagesFile: writeRefs(digestRefs("broken")) }), (error: Error) => {
            assert.match(error.message, /validation of dev failed:\n {2}- frontend did not answer \/readyz \(injected\)/);
            assert.match(error.message, /the previous release was restored and validates/);
            return true;
        });
        assert.deepStrictEqual(calls, [["frontend"], ["frontend"]]);
        assert.deepStrictEqual(configOf("dev")["fastapi-k8s:images"].refs, digestRefs("v1"), "the stack file holds the previous release");
        assert.strictEqual(imageOf("dev", "frontend"), digestRefs("v1").frontend, "the previous images are applied again");
        assert.deepStrictEqual((await stack.outputs()).images.value, digestRefs("v1"), "the outputs name the validated release");
        assert.strictEqual((await stack.history()).length, updates + 2, "the release and its restore");
    });

    it("applies nothing when the operator declines", async () => {
        await refused("prod", () => promote(options("prod", { yes: false, confirm: async () => false })), /declined/);
    });

    it("promotes staging's release to prod", async () => {
        await promote(options("prod"));
        assert.deepStrictEqual(configOf("prod")["fastapi-k8s:images"].refs, digestRefs("v1"));
        assert.strictEqual(imageOf("prod", "backend"), digestRefs("v1").backend);
    });

    it("refuses a plan that would replace staging's database StatefulSet, read from the engine's preview", async () => {
        await withEdit(
            "staging",
            (config) => (config["fastapi-k8s:postgres"].storageSize = "10Gi"),
            async () => {
                const events: EngineEvent[] = [];
                await (await openStack({ stack: "staging", workDir: dir })).preview({ onEvent: (e) => events.push(e) });
                recordFixture("staging-storage-resize.json", events);
                await refused(
                    "staging",
                    () => deploy(options("staging")),
                    /the plan would replace kubernetes:apps\/v1:StatefulSet "postgres", which holds data/,
                );
            },
        );
        assert.strictEqual(
            rendered("staging", "apps_v1-statefulset-fastapi-staging-postgres.yaml").spec.volumeClaimTemplates[0].spec.resources.requests.storage,
            "5Gi",
        );
    });

    it("refuses to shrink staging's volumes before the preview, naming the size the state holds", async () => {
        const shrink = (config: Record<string, any>) => {
            config["fastapi-k8s:postgres"].storageSize = "4Gi";
            config["fastapi-k8s:postgres"].backup.storageSize = "1Gi";
        };
        await withEdit("staging", shrink, () =>
            refused(
                "staging",
                () => deploy(options("staging", { allowDataLoss: true })),
                /postgres\.storageSize = "4Gi" is smaller than the volume staging has now \(5Gi\): a volume can never shrink; keep it at 5Gi or more[\s\S]*postgres\.backup\.storageSize = "1Gi" is smaller than the volume staging has now \(10Gi\)/,
            ),
        );
    });

    it("cannot replace prod's protected StatefulSet at all: the engine refuses the preview", async () => {
        await withEdit(
            "prod",
            (config) => (config["fastapi-k8s:postgres"].storageSize = "60Gi"),
            async () => {
                await refused("prod", () => deploy(options("prod", { allowDataLoss: true })), /unable to replace resource .*StatefulSet::postgres/);
            },
        );
    });

    it("refuses mutable tags in staging in its configuration, before the preview", async () => {
        const edit = (config: Record<string, any>) => {
            config["fastapi-k8s:images"].requireDigest = false;
            config["fastapi-k8s:images"].refs.backend = "127.0.0.1:5000/fastapi-k8s/backend:latest-good";
        };
        await withEdit("staging", edit, () =>
            refused("staging", () => deploy(options("staging")), /images\.requireDigest = false: must be true in staging and prod/),
        );
    });

    it("refuses what the policy pack forbids, with the project's own policy configuration: a mutable tag where it requires digests", async () => {
        const policy = path.join(dir, "policy", "config.dev.json");
        fs.mkdirSync(path.dirname(policy), { recursive: true });
        fs.writeFileSync(policy, JSON.stringify({ "immutable-images": { requireDigest: true } }));
        const refs = writeRefs({ ...digestRefs("v1"), backend: "127.0.0.1:5000/fastapi-k8s/backend:latest-good" });
        try {
            await refused("dev", () => deploy({ ...options("dev"), imagesFile: refs }), /policy violation/);
        } finally {
            fs.rmSync(path.dirname(policy), { recursive: true, force: true });
        }
        assert.match(logs.join("\n"), /immutable-images/);
    });

    it("records a promotion's preview for the plan-analysis tests", async () => {
        editConfig("dev", (config) => (config["fastapi-k8s:images"].refs = digestRefs("v2")));
        await deploy(options("dev"));
        editConfig("staging", (config) => (config["fastapi-k8s:images"] = { ...config["fastapi-k8s:images"], requireDigest: true, refs: digestRefs("v1") }));
        const events: EngineEvent[] = [];
        const stack = await openStack({ stack: "staging", workDir: dir });
        const release = releaseOf(stackSettings("dev", dir), (await (await openStack({ stack: "dev", workDir: dir })).outputs()).images.value, "dev");
        const promoted = promotedSettings(stackSettings("staging", dir), release);
        editConfig("staging", (config) => Object.entries(promoted).forEach(([name, value]) => (config[key(name)] = value)));
        await stack.preview({ onEvent: (e) => events.push(e) });
        recordFixture("staging-promotion.json", events);
        assert.ok(
            events.some((e) => e.resourcePreEvent?.metadata.op === "update"),
            "the promotion updates workloads",
        );
    });

    it("rotates prod's database password in place: a new password, the Secret updated, nothing that mounts it changed, a backup first", async () => {
        const secretOf = () => rendered("prod", "v1-secret-fastapi-prod-postgres-credentials.yaml");
        const before = {
            secret: secretOf(),
            statefulSet: rendered("prod", "apps_v1-statefulset-fastapi-prod-postgres.yaml"),
            backend: imageOf("prod", "backend"),
        };
        const backups: string[] = [];
        logs.length = 0;
        const generation = await rotateDatabasePassword(options("prod", { backup: () => (backups.push("taken"), "app-rotation.dump") }));
        assert.strictEqual(generation, 2);
        assert.strictEqual(configOf("prod")["fastapi-k8s:databasePasswordGeneration"], 2);
        const plan = logs.find((line) => line.startsWith("plan for prod:")) ?? "";
        assert.match(plan, /update: [^;]*1 Secret/, "the credentials Secret is updated in place");
        assert.doesNotMatch(plan, /StatefulSet|Deployment|replace: [^;]*Secret/, `nothing that mounts it is touched: ${plan}`);
        assert.deepStrictEqual(backups, ["taken"], "a backup before the password changes");
        const after = secretOf();
        assert.notStrictEqual(after.data.password, before.secret.data.password, "a new password");
        assert.strictEqual(after.metadata.name, before.secret.metadata.name);
        assert.deepStrictEqual(rendered("prod", "apps_v1-statefulset-fastapi-prod-postgres.yaml"), before.statefulSet);
        assert.strictEqual(imageOf("prod", "backend"), before.backend);
    });

    it("takes a backup before a plan that changes staging's database, even when allowed, and applies nothing if it fails", async () => {
        const resize = (config: Record<string, any>) => (config["fastapi-k8s:postgres"].storageSize = "6Gi");
        const failing = () => {
            throw new Error("backup Job failed (injected)");
        };
        await withEdit("staging", resize, () =>
            refused(
                "staging",
                () => deploy(options("staging", { allowDataLoss: true, backup: failing })),
                /a backup before this plan \(.*StatefulSet "postgres".*\) failed; nothing was applied/,
            ),
        );
        const stack = await openStack({ stack: "staging", workDir: dir });
        const updates = (await stack.history()).length;
        const renderedStorage = () =>
            rendered("staging", "apps_v1-statefulset-fastapi-staging-postgres.yaml").spec.volumeClaimTemplates[0].spec.resources.requests.storage;
        // What the cluster holds when the backup runs: the rendered StatefulSet, still the old one.
        const calls: string[] = [];
        const backup = () => (calls.push(renderedStorage()), "app-20261122T101500Z.dump");
        await withEdit("staging", resize, async () => {
            logs.length = 0;
            await deploy(options("staging", { allowDataLoss: true, backup }));
        });
        assert.deepStrictEqual(calls, ["5Gi"], "one backup, taken before the update ran");
        assert.strictEqual(renderedStorage(), "6Gi");
        assert.strictEqual((await stack.history()).length, updates + 1);
        assert.match(logs.join("\n"), /staging: backed up the database before applying \(.*replace StatefulSet "postgres".*\): app-20261122T101500Z\.dump/);
        // A plan that leaves the database alone takes none.
        const greet = (config: Record<string, any>) => (resize(config), (config["fastapi-k8s:frontend"].page.greeting = "Hello again"));
        await withEdit("staging", greet, () =>
            deploy(options("staging", { backup: () => assert.fail("no backup for a plan without data steps") })).then(() => undefined),
        );
        assert.strictEqual(calls.length, 1);
    });
});

/** Keeps each planned step's op, URN and type (nothing else: no values) when RECORD_FIXTURES=1. */
function recordFixture(name: string, events: EngineEvent[]): void {
    if (process.env.RECORD_FIXTURES !== "1") {
        return;
    }
    const steps = events
        .filter((e) => e.resourcePreEvent)
        .map((e) => ({ sequence: e.sequence, timestamp: e.timestamp, resourcePreEvent: { metadata: pick(e.resourcePreEvent!.metadata) } }));
    const file = path.join(REPO_ROOT, "tests", "release", "fixtures", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(steps, null, 1) + "\n");
}

function pick(metadata: NonNullable<EngineEvent["resourcePreEvent"]>["metadata"]) {
    return { op: metadata.op, urn: metadata.urn, type: metadata.type, provider: metadata.provider, diffs: metadata.diffs, replaceKeys: metadata.keys };
}
