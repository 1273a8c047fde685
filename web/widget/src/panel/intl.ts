// Intl objects are slow to build and some are used per keystroke or per message: one of
// each is kept per kind, language and options, named by `key`.
const made = new Map<string, unknown>();

export function intl<T>(key: string, make: () => T): T {
  let value = made.get(key) as T | undefined;
  if (!value) made.set(key, (value = make()));
  return value;
}
