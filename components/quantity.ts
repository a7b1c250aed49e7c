/**
 * Kubernetes resource quantities ("250m", "512Mi", "1e3"), parsed the way the API server reads
 * them so that bad values ("512Mb", "-1", "1.5.0") are refused before anything is sent to it.
 */

const BINARY_SUFFIXES: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

const DECIMAL_SUFFIXES: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
};

// The API server's grammar for non-negative quantities: an optional "+", digits, a suffix.
const QUANTITY_PATTERN = /^\+?(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** What a quantity may look like, for error messages. */
export const QUANTITY_HELP =
    'a non-negative number with an optional suffix: m, k, M, G, T (decimal), Ki, Mi, Gi, Ti (binary) or e<N>, e.g. "250m", "512Mi", "1Gi"';

/** Returns the value of a quantity in base units (cores or bytes); throws on a malformed one. */
export function parseQuantity(quantity: string): number {
    const match = QUANTITY_PATTERN.exec(String(quantity).trim());
    if (match === null) {
        throw new Error(`"${quantity}" is not a Kubernetes quantity; expected ${QUANTITY_HELP}`);
    }
    const [, digits, suffix = ""] = match;
    const base = Number(digits);
    if (suffix in BINARY_SUFFIXES) {
        return base * BINARY_SUFFIXES[suffix];
    }
    if (suffix in DECIMAL_SUFFIXES) {
        return base * DECIMAL_SUFFIXES[suffix];
    }
    return base * 10 ** Number(suffix.slice(1));
}

/**
 * Undefined when `quantity` is a whole number of bytes, computed exactly (not in floating point).
 * Memory and storage in thousandths ("128m" is 0.128 bytes) or fractions of a byte are accepted by
 * the API server but not by the kubelet or the volume provisioner.
 */
export function wholeBytesProblem(quantity: string): string | undefined {
    const match = QUANTITY_PATTERN.exec(String(quantity).trim());
    if (match === null) {
        return undefined; // not a quantity at all: parseQuantity's message says so
    }
    const [, digits, suffix = ""] = match;
    const [whole, fraction = ""] = digits.split(".");
    let numerator = BigInt(`${whole}${fraction}` || "0");
    let denominator = 10n ** BigInt(fraction.length);
    if (suffix in BINARY_SUFFIXES) {
        numerator *= BigInt(BINARY_SUFFIXES[suffix]);
    } else {
        const exponent = suffix in DECIMAL_SUFFIXES ? Math.round(Math.log10(DECIMAL_SUFFIXES[suffix])) : Number(suffix.slice(1));
        if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
        else denominator *= 10n ** BigInt(-exponent);
    }
    if (numerator % denominator === 0n) {
        return undefined;
    }
    return suffix === "m"
        ? 'is thousandths of a byte ("m" means milli); expected whole bytes with a binary or decimal suffix, e.g. "128Mi" or "128M"'
        : 'is not a whole number of bytes; expected e.g. "128Mi", "1.5Gi" or "500M"';
}

/** True when `quantity` parses. */
export function isQuantity(quantity: string): boolean {
    try {
        parseQuantity(quantity);
        return true;
    } catch {
        return false;
    }
}
