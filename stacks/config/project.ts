/** The Pulumi project name, which is also the namespace of every configuration key. */
export const PROJECT = "fastapi-k8s";

/** Secret configuration keys, read with getSecret and never part of the plain configuration. */
export const SECRET_KEYS = ["registryPassword"];

/** Keys Pulumi.yaml declares as strings: their text is the value, even when it looks like a number. */
export const STRING_KEYS = ["namespace", "activeColor", "renderYamlToDirectory"];
