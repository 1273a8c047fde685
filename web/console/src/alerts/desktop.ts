import { signal } from '@preact/signals';

export type Permission = NotificationPermission | 'unsupported';

const current = (): Permission =>
  typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;

/** Desktop notification permission; asked for only from the header button, never on load. */
export const notificationPermission = signal<Permission>(current());

export async function askNotificationPermission(): Promise<void> {
  if (typeof Notification === 'undefined') return;
  notificationPermission.value = await Notification.requestPermission();
}

/** Follows changes made in the browser's site settings while the console is open. */
export function watchNotificationPermission(): void {
  notificationPermission.value = current();
  navigator.permissions
    ?.query({ name: 'notifications' })
    .then((status) => {
      status.onchange = () => {
        notificationPermission.value = current();
      };
    })
    .catch(() => undefined);
}

/** Shows a desktop notification if allowed; clicking it brings the console forward. */
export function notify(title: string, body: string, tag: string, onClick: () => void): void {
  if (current() !== 'granted') return;
  const note = new Notification(title, { body, tag });
  note.onclick = () => {
    window.focus();
    onClick();
    note.close();
  };
}
