/**
 * The release's record: edits a stack file (Pulumi.<stack>.yaml) in place, touching only the
 * entries that change, so comments, order and layout stay as people wrote them.
 */
import * as fs from "fs";
import { Document, isMap, isScalar, parseDocument } from "yaml";

/** A change of the stack's configuration: full keys → new values (undefined removes the key). */
export type ConfigChange = Record<string, unknown>;

/** Writes `change` into the stack file, touching only what differs (comments and layout stay); returns the old text. */
export function writeChange(file: string, change: ConfigChange): string {
    const before = fs.readFileSync(file, "utf8");
    const document = parseDocument(before);
    if (document.errors.length > 0) {
        throw new Error(`${file} is not valid YAML, so the release cannot record itself there: ${document.errors[0].message}`);
    }
    for (const [key, value] of Object.entries(change)) {
        mergeInto(document, ["config", key], value);
    }
    fs.writeFileSync(file, document.toString({ lineWidth: 0, flowCollectionPadding: true }));
    return before;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** Sets `value` at `at`, recursing into maps so unchanged entries keep their formatting. */
function mergeInto(document: Document, at: string[], value: unknown): void {
    if (value === undefined) {
        document.deleteIn(at);
        return;
    }
    const existing = document.getIn(at, true);
    if (isPlainObject(value) && isMap(existing)) {
        for (const item of existing.items) {
            const name = String(isScalar(item.key) ? item.key.value : item.key);
            if (!(name in value)) {
                document.deleteIn([...at, name]);
            }
        }
        for (const [name, inner] of Object.entries(value)) {
            mergeInto(document, [...at, name], inner);
        }
    } else if (!(isScalar(existing) && existing.value === value)) {
        document.setIn(at, document.createNode(value));
    }
}
