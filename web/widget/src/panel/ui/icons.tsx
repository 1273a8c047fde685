// Inline icons; decorative, the controls carry their names in text.
const icon = (path: string) => () => (
  <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path d={path} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
  </svg>
);

export const CloseIcon = icon('M6 6l12 12M18 6L6 18');
export const SendIcon = icon('M4 12l16-8-6 16-3-7-7-1z');
export const ClockIcon = icon('M12 4a8 8 0 1 0 0 16 8 8 0 0 0 0-16zm0 4v4l3 2');
export const CheckIcon = icon('M4 12l5 5L20 6');
export const DoubleCheckIcon = icon('M2 12l5 5L18 6M11 16l1 1L23 6');
export const MailIcon = icon('M3 6h18v12H3zM3 7l9 6 9-6');
export const PrintIcon = icon('M7 9V3h10v6M7 17H4v-7h16v7h-3M7 14h10v7H7z');
export const DownloadIcon = icon('M12 3v12M7 10l5 5 5-5M4 20h16');
