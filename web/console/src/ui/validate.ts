// Small checks the forms share, matching the server's rules.

/** A text's length in characters (code points), as the server counts it. */
export const chars = (text: string) => [...text].length;

/** A plain shape check for an email address; the server has the last word on addresses. */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The shortest password the server accepts. */
export const MIN_PASSWORD_CHARS = 10;
