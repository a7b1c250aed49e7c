import * as fs from "fs";
import { pemCertificatesProblem } from "../../components";
import { fromProjectRoot } from "../projectRoot";

/**
 * The CA certificates named by `images.buildEnvironment.caCertificatesFile` (absolute, or from the
 * project root): their PEM text, or what is wrong with the file. The configuration rules report the
 * problem before anything is registered; the image builds use the text.
 */
export function readCaCertificates(file: string): { text: string } | { problem: string } {
    const resolved = fromProjectRoot(file);
    let text: string;
    try {
        text = fs.readFileSync(resolved, "utf8");
    } catch (err) {
        return {
            problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? err}): expected a PEM file, absolute or relative to the project root (${resolved})`,
        };
    }
    const problem = pemCertificatesProblem(text);
    return problem ? { problem } : { text };
}
