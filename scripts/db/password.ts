/**
 * After a password rotation has been released: waits until the database has taken the new password.
 * The Secret's new value reaches the server's pod as a file some time after the release (the
 * kubelet's sync), and the password sync sets it within seconds of that.
 */
import { createHash } from "crypto";
import { PASSWORD_CHECK_SCRIPT } from "../../components";
import { REPO_ROOT } from "../../stacks/stackFiles";
import { kubectlPath, runKubectl } from "../release/validate";
import { DbError, sleepSeconds } from "./backups";

/** Seconds until the server's pod holds the Secret's password and accepts it; throws after `timeoutSeconds`. */
export function waitForRotatedPassword(namespace: string, database: string, timeoutSeconds: number): number {
    const kubectl = kubectlPath(REPO_ROOT);
    const secret = runKubectl(kubectl, ["-n", namespace, "get", "secret", `${database}-credentials`, "-o", "jsonpath={.data.password}"]);
    if (!secret.ok) {
        throw new DbError(`cannot read the Secret ${database}-credentials in ${namespace}: ${secret.output}`);
    }
    // Compared by digest: the password itself is never printed or passed on.
    const wanted = createHash("sha256").update(Buffer.from(secret.stdout, "base64")).digest("hex");
    const started = Date.now();
    let last = "";
    while (Date.now() - started < timeoutSeconds * 1000) {
        const check = runKubectl(kubectl, ["-n", namespace, "exec", `${database}-0`, "-c", "password-sync", "--", "sh", "-c", PASSWORD_CHECK_SCRIPT]);
        const [digest, login] = check.stdout.trim().split("\n");
        if (check.ok && digest === wanted && login === "login-ok") {
            return (Date.now() - started) / 1000;
        }
        last = !check.ok ? check.output : digest !== wanted ? "the pod still has the previous password file" : "the database does not accept it yet";
        sleepSeconds(2);
    }
    throw new DbError(`the database did not take the new password within ${timeoutSeconds}s (${last})`);
}
