// Message text rules shared by the composer and the outbox; the server checks the same.

/** The server's limit, in Unicode code points (not UTF-16 units). */
export const MAX_CHARS = 4000;
/** The composer shows a counter from this many characters left. */
export const COUNTER_FROM = 200;

export const charCount = (text: string): number => {
  let count = 0;
  for (const _ of text) count++;
  return count;
};

/**
 * The text as it will be sent: CRLF as LF, and without control characters other than
 * newline and tab, which the server refuses and nobody can see anyway.
 */
export const cleanText = (text: string): string =>
  text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');

/** True when there is nothing but white space to send. */
export const isBlank = (text: string): boolean => text.trim() === '';
