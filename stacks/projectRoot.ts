import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/**
 * A path from the stack configuration, taken from the project root (the directory of Pulumi.yaml)
 * whatever the process's directory: `pulumi up` runs the program from stacks/, inline runs from
 * anywhere. Outside the engine (Pulumi's mocks report a placeholder root; the release CLI's checks
 * have none) the root is the current directory.
 */
export function fromProjectRoot(configured: string): string {
    const root = pulumi.runtime.getRootDirectory();
    return path.resolve(path.isAbsolute(root) ? root : process.cwd(), configured);
}
