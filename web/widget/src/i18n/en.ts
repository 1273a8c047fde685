// English, the reference catalog: the other languages must have exactly these keys.

/**
 * What the launcher needs: its name, the status when operators are online and when not,
 * and the label of the unread count. It ships in the loader on every shop page, so it is
 * a bare list rather than named strings.
 */
export const launcher: LauncherCatalog = ['Chat with us', 'We’re online', 'Leave a message', 'Unread'];

/** The chat panel's strings; they ship in the panel chunk. */
export const panel = {
  close: 'Close chat',
  online: 'We’re online',
  offline: 'Leave a message',
  away: 'We’re away. Leave a message and we’ll reply here.',
  connecting: 'Connecting…',
  log: 'Conversation',
  greeting: 'Hi! How can we help you today?',
  you: 'You',
  support: 'Support',
  label: 'Message',
  placeholder: 'Type your message…',
  send: 'Send',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Not sent',
  retry: 'Retry',
  joined: '{name} joined the chat',
  left: '{name} left the chat',
  ended: 'Chat ended',
  typing: '{name} is typing…',
  charsLeft: 'Characters left: {n}',
  charsOver: 'Characters over the limit: {n}',
  dismiss: 'Dismiss',
  invitation: 'Message from {name}',
  reply: 'Reply',
  decline: 'Dismiss',
  hideGreeting: 'Hide greeting',
  errTooLong: 'A message can be at most 4000 characters long.',
  errEmpty: 'The message is empty.',
  errInvalid: 'The message contains characters that cannot be sent.',
  errRateLimited: 'You are sending messages too quickly. Please wait a moment.',
  errUnavailable: 'The chat is unavailable right now. Please try again later.',
  errGeneric: 'Something went wrong. Please try again.',
};

export type LauncherCatalog = [chat: string, online: string, offline: string, unread: string];
export type PanelCatalog = Record<keyof typeof panel, string>;
