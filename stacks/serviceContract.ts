/**
 * Where the platform puts files beyond the service keys (whose places the components define:
 * KEY_PATHS); the Python services under app-images/ read exactly these (see
 * app-images/common/fastapi_common/settings.py).
 */
export const PATHS = {
    /** Each subdirectory is a key Secret whose holder may inject failures (only the operator's). */
    faultKeysDir: "/etc/fastapi-k8s/fault-keys",
    /** The database credentials Secret. */
    databaseSecretDir: "/etc/fastapi-k8s/database",
};

export const APP_PORT = 8000;

/** The platform's PostgresDatabase: its StatefulSet, Service and (with backups) CronJob "<name>-backup". */
export const DATABASE = "postgres";

/** The largest data set analytics computes when the stack does not say (`analytics.maxRows`). */
export const ANALYTICS_MAX_ROWS = 1_000_000;

/**
 * What analytics holds while it computes: bytes per row of the data set at its peak (125-128
 * measured at 1-4 million rows, generate + summarize), and the service itself (about 105 MB after
 * its first request, rounded up for the interpreter's arenas). Rows in flight are at most
 * maxRows (ROWS_IN_FLIGHT's default), so the tier's memory limit must hold base + maxRows × row.
 * app-images/analytics/tests/test_memory.py measures both against these figures.
 */
export const ANALYTICS_MEMORY = { bytesPerRow: 128, baseMiB: 128 };

/** The largest data set an anonymous visitor may ask the frontend for, below analytics' own bound. */
export const PUBLIC_INSIGHTS_MAX_ROWS = 10_000;
