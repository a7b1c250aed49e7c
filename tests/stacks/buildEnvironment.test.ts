import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { T } from "../harness/render";
import { stackFileConfig } from "../../stacks/stackFiles";
import { evaluateStack } from "./evaluateStack";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ29ycG9yYXRlIHByb3h5IENBIGZvciB0ZXN0cw==\n-----END CERTIFICATE-----\n";

describe("dev behind a proxy: images.buildEnvironment", () => {
    it("builds every image with the CA certificates and proxies, under the same content tags", async () => {
        const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ca-")), "corp-ca.pem");
        fs.writeFileSync(caFile, PEM);
        const config = stackFileConfig("dev") as Record<string, any>;
        const plain = await evaluateStack("dev", config);
        const images = {
            ...config["fastapi-k8s:images"],
            buildEnvironment: { caCertificatesFile: caFile, httpsProxy: "http://proxy.corp:3128", noProxy: "localhost,.corp" },
        };
        const proxied = await evaluateStack("dev", { ...config, "fastapi-k8s:images": images });

        const built = (evaluated: typeof plain) => evaluated.recorder.ofType(T.image).map((r) => r.inputs);
        assert.equal(built(proxied).length, 3);
        for (const image of built(proxied)) {
            assert.equal(image.build.args.EXTRA_CA_CERTS, PEM);
            assert.equal(image.build.args.HTTPS_PROXY, "http://proxy.corp:3128");
            assert.equal(image.build.args.NO_PROXY, "localhost,.corp");
        }
        assert.deepEqual(
            built(proxied)
                .map((i) => i.imageName)
                .sort(),
            built(plain)
                .map((i) => i.imageName)
                .sort(),
            "same tags",
        );
        assert.deepEqual(proxied.outputs.images, plain.outputs.images);
        assert.ok(!JSON.stringify(proxied.outputs).includes("proxy.corp"), "outputs carry no build environment");
    });
});
