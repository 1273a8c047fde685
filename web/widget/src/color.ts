// The site's accent colour and a readable text colour on top of it.

const FALLBACK = '#2563eb';

/** `[accent, text on accent]` for a `#rrggbb` colour; anything else gets the default. */
export function accent(color: string | null | undefined): [string, string] {
  const hex = color && /^#[0-9a-f]{6}$/i.test(color) ? color : FALLBACK;
  const n = parseInt(hex.slice(1), 16);
  // Perceived brightness (ITU-R BT.601 weights): dark text on light colours.
  const light = (n >> 16) * 0.299 + ((n >> 8) & 255) * 0.587 + (n & 255) * 0.114 > 160;
  return [hex, light ? '#111827' : '#ffffff'];
}
