/** What an error prints instead of a value that may carry a credential. */
export const NOT_SHOWN = "(not shown: it may carry credentials)";

/**
 * Whether `text` holds a URL with user-info ("scheme://user:password@host"), so it must never be
 * printed. Linear in the text's length (a regular expression would backtrack on long input).
 */
export function carriesCredentials(text: string): boolean {
    for (let at = text.indexOf("://"); at !== -1; at = text.indexOf("://", at + 3)) {
        const authority = /^[^/\s?#]*/.exec(text.slice(at + 3, at + 3 + 2048))![0];
        if (at > 0 && /[a-z0-9+.-]/i.test(text[at - 1]) && authority.includes("@")) {
            return true;
        }
    }
    return false;
}
