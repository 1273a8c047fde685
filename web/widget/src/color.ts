// The site's accent colour and a readable text colour on top of it.

/** `[accent, text on accent]` for a `#rrggbb` colour; anything else gets the default. */
export function accent(color: string | null | undefined): [string, string] {
  const hex = color && /^#[0-9a-f]{6}$/i.test(color) ? color : '#2563eb';
  const n = parseInt(hex.slice(1), 16);
  // Perceived brightness, ITU-R BT.601 weights (0.299, 0.587, 0.114) in eighths: dark
  // text on light colours.
  return [hex, (n >> 16) * 2 + ((n >> 8) & 255) * 5 + (n & 255) > 1280 ? '#111827' : '#fff'];
}
