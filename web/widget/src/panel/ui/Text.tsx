import { linkify } from '../linkify';

/** A message body: text nodes and code-made links only, never parsed as markup. */
export function Text({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow ugc">
            {part.href}
          </a>
        ),
      )}
    </>
  );
}
