/** A URL with user-info ("scheme://user:password@host"): a credential wherever it sits. */
const URL_WITH_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^/\s?#]*@/i;

/** What an error prints instead of a value that may carry a credential. */
export const NOT_SHOWN = "(not shown: it may carry credentials)";

/** Whether `text` holds a URL with user-info, so it must never be printed. */
export function carriesCredentials(text: string): boolean {
    return URL_WITH_CREDENTIALS.test(text);
}
