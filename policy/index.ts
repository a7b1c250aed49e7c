/**
 * The fastapi-k8s policy pack. Run it with a preview:
 *   pulumi preview --policy-pack policy --policy-pack-config policy/config.<stack>.json
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("fastapi-k8s", { policies });
