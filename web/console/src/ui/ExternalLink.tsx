import type { ComponentChildren } from 'preact';

/** The address as an `http(s):` href, or null for anything else (`javascript:`, relative, malformed). */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * A link to an address a visitor's browser reported. Only web addresses become links, opened
 * in a new tab that cannot reach back to the console; anything else shows as plain text.
 */
export function ExternalLink({ url, class: className, children }: { url: string; class?: string; children?: ComponentChildren }) {
  const href = safeHref(url);
  const text = children ?? url;
  if (!href) return <span class={className}>{text}</span>;
  return (
    <a class={className} href={href} target="_blank" rel="noopener noreferrer">
      {text}
    </a>
  );
}
