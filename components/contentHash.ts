import { createHash } from "crypto";

/**
 * A short, stable hash of a JSON-serialisable value, with object keys sorted so that the same
 * content always hashes the same. Used to name ConfigMaps after their content: a change of content
 * is a change of name, which rolls the pods that mount it.
 */
export function contentHash(value: unknown, length = 10): string {
    return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, length);
}

function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.keys(value as object)
            .sort()
            .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
        return `{${entries.join(",")}}`;
    }
    return JSON.stringify(value);
}
