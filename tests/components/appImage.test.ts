import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AppImage, buildInputsHash } from "../../components/appImage";
import { buildEnvironmentArgs } from "../../components/buildEnvironment";
import { InvalidArgumentError } from "../../components/errors";
import { installMocks, isSecret, valueOf } from "../../scripts/render/mockRuntime";
import { renderUnderMocks, T } from "../harness/render";

function buildContext(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appimage-"));
    fs.mkdirSync(path.join(dir, "svc"));
    fs.writeFileSync(path.join(dir, "svc", "Dockerfile"), "ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\n");
    fs.writeFileSync(path.join(dir, "svc", "main.py"), "print('v1')\n");
    fs.mkdirSync(path.join(dir, "other"));
    fs.writeFileSync(path.join(dir, "other", "x.py"), "x = 1\n");
    return dir;
}

describe("AppImage", () => {
    it("tags by a hash of what goes into the image: its files, Dockerfile and build arguments", () => {
        const dir = buildContext();
        const dockerfile = path.join(dir, "svc", "Dockerfile");
        const hash = () => buildInputsHash(dir, ["svc"], dockerfile, { BASE_IMAGE: "base:1" });
        const first = hash();
        assert.equal(hash(), first, "stable");
        fs.writeFileSync(path.join(dir, "other", "x.py"), "x = 2\n");
        assert.equal(hash(), first, "files outside contentPaths do not count");
        fs.writeFileSync(path.join(dir, "svc", "main.py"), "print('v2')\n");
        const second = hash();
        assert.notEqual(second, first, "a source change is a new tag");
        assert.notEqual(buildInputsHash(dir, ["svc"], dockerfile, { BASE_IMAGE: "base:2" }), second, "so is a new base");
        fs.mkdirSync(path.join(dir, "svc", "__pycache__"));
        fs.writeFileSync(path.join(dir, "svc", "__pycache__", "main.pyc"), "junk");
        assert.equal(hash(), second, "caches are ignored");
    });

    it("deploys the content tag when local and the registry digest when pushed", async () => {
        const dir = buildContext();
        let local!: AppImage;
        let pushed!: AppImage;
        const rec = await renderUnderMocks(() => {
            local = new AppImage("local", { context: dir, dockerfile: path.join(dir, "svc", "Dockerfile"), repository: "shop/svc", baseImage: "base:1" });
            pushed = new AppImage("pushed", {
                context: dir,
                dockerfile: path.join(dir, "svc", "Dockerfile"),
                repository: "registry.example.com/shop/svc",
                registry: { server: "registry.example.com", username: "ci", password: "token" },
            });
        });
        assert.equal(await valueOf(local.imageRef), `shop/svc:${local.tag}`);
        assert.match(await valueOf(pushed.imageRef), /^registry\.example\.com\/shop\/svc@sha256:[0-9a-f]{64}$/);
        const [localImage, pushedImage] = [
            rec.resources.find((r) => r.type === T.image && r.name === "local")!,
            rec.resources.find((r) => r.type === T.image && r.name === "pushed")!,
        ];
        assert.equal(localImage.inputs.skipPush, true);
        assert.equal(localImage.inputs.build.args.BASE_IMAGE, "base:1");
        assert.equal(pushedImage.inputs.skipPush, false);
    });

    it("rejects a missing context, missing Dockerfile or a repository with a tag", async () => {
        const rec = await installMocks("test");
        assert.throws(
            () => new AppImage("bad", { context: "/nonexistent", repository: "Shop/svc:latest" }),
            (e: Error) =>
                e instanceof InvalidArgumentError &&
                /context "\/nonexistent" is not a directory/.test(e.message) &&
                /dockerfile "\/nonexistent\/Dockerfile" does not exist/.test(e.message) &&
                /repository "Shop\/svc:latest"/.test(e.message),
        );
        assert.equal(rec.resources.length, 0);
    });

    it("presents a registry login only to its own registry: a repository elsewhere is refused before anything is built", async () => {
        const dir = buildContext();
        const dockerfile = path.join(dir, "svc", "Dockerfile");
        const rec = await installMocks("test");
        const login = { server: "registry.example.com", username: "ci", password: "token" };
        for (const [repository, named] of [
            ["shop/svc", "docker.io"],
            ["docker.io/shop/svc", "docker.io"],
            ["other.example.com/shop/svc", "other.example.com"],
            ["registry.example.com:5000/shop/svc", "registry.example.com:5000"],
        ]) {
            assert.throws(
                () => new AppImage("pushed", { context: dir, dockerfile, repository, registry: login }),
                (e: Error) =>
                    e instanceof InvalidArgumentError &&
                    e.message.includes(`repository "${repository}" names the registry ${named}, but the login is for registry.example.com`) &&
                    e.message.includes('"registry.example.com/'),
                repository,
            );
        }
        assert.equal(rec.resources.length, 0);
        for (const [repository, server] of [
            ["registry.example.com/shop/svc", "https://Registry.Example.com/"],
            ["shop/svc", "index.docker.io"],
            ["localhost:5000/svc", "localhost:5000"],
        ]) {
            assert.doesNotThrow(() => new AppImage(`ok-${server}`, { context: dir, dockerfile, repository, registry: { ...login, server } }));
        }
    });

    const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ29ycG9yYXRlIHByb3h5IENBIGZvciB0ZXN0cw==\n-----END CERTIFICATE-----\n";

    it("passes a build environment (CA certificates, proxies) as secret build arguments outside the content tag", async () => {
        const dir = buildContext();
        const dockerfile = path.join(dir, "svc", "Dockerfile");
        let plain!: AppImage;
        let behindProxy!: AppImage;
        const rec = await renderUnderMocks(() => {
            plain = new AppImage("plain", { context: dir, dockerfile, repository: "shop/svc" });
            behindProxy = new AppImage("proxied", {
                context: dir,
                dockerfile,
                repository: "shop/svc",
                buildEnvironment: { extraCaCertificates: PEM, httpsProxy: "http://alice:pw@proxy.corp:3128", noProxy: "localhost,.corp" },
            });
        });
        assert.equal(behindProxy.tag, plain.tag, "the build environment does not change the image, so not its tag");
        const image = rec.resources.find((r) => r.type === T.image && r.name === "proxied")!;
        assert.equal(image.inputs.build.args.EXTRA_CA_CERTS, PEM);
        assert.equal(image.inputs.build.args.HTTPS_PROXY, "http://alice:pw@proxy.corp:3128");
        assert.equal(image.inputs.build.args.NO_PROXY, "localhost,.corp");
        assert.equal(image.inputs.build.args.HTTP_PROXY, undefined);
        const args = buildEnvironmentArgs({ extraCaCertificates: PEM, httpProxy: "http://proxy.corp:3128" });
        assert.deepEqual(Object.keys(args).sort(), ["EXTRA_CA_CERTS", "HTTP_PROXY"]);
        for (const value of Object.values(args)) {
            assert.equal(await isSecret(value), true, "build-environment arguments are secrets in state and previews");
        }
    });

    it("rejects a malformed build environment, naming the field and never echoing a proxy URL", async () => {
        const rec = await installMocks("test");
        const dir = buildContext();
        assert.throws(
            () =>
                new AppImage("bad-env", {
                    context: dir,
                    dockerfile: path.join(dir, "svc", "Dockerfile"),
                    repository: "shop/svc",
                    buildArgs: { HTTPS_PROXY: "http://proxy:3128" },
                    buildEnvironment: { extraCaCertificates: "not a certificate", httpProxy: "socks5://bob:hunter2@proxy:1080", noProxy: "a b" },
                }),
            (e: Error) =>
                e instanceof InvalidArgumentError &&
                /buildEnvironment.extraCaCertificates holds no PEM certificate/.test(e.message) &&
                /buildEnvironment.httpProxy is not a proxy URL/.test(e.message) &&
                /buildEnvironment.noProxy is not a no-proxy list/.test(e.message) &&
                /buildArgs.HTTPS_PROXY is a build-environment argument/.test(e.message) &&
                !e.message.includes("hunter2"),
        );
        assert.equal(rec.resources.length, 0);
    });
});
