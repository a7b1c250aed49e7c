/**
 * Where the platform puts files and which settings it passes; the Python services under
 * app-images/ read exactly these (see app-images/common/fastapi_common/settings.py).
 */
export const PATHS = {
    /** Each subdirectory is one caller's key Secret (files `current` and `previous`). */
    inboundKeysDir: "/etc/fastapi-k8s/inbound-keys",
    /** The key a caller presents to `callee`. */
    outboundKeyFile: (callee: string) => `/etc/fastapi-k8s/outbound-keys/${callee}/current`,
    outboundKeyDir: (callee: string) => `/etc/fastapi-k8s/outbound-keys/${callee}`,
    /** Each subdirectory is a key Secret whose holder may inject failures (only the operator's). */
    faultKeysDir: "/etc/fastapi-k8s/fault-keys",
    /** The database credentials Secret. */
    databaseSecretDir: "/etc/fastapi-k8s/database",
};

export const APP_PORT = 8000;
