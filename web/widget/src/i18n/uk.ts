import type { LauncherCatalog, PanelCatalog } from './en';

export const launcher: LauncherCatalog = {
  chat: 'Напишіть нам',
  online: 'Ми на зв’язку',
  offline: 'Залиште повідомлення',
  unread: 'Непрочитаних повідомлень',
};

// Present-tense and noun phrasing avoids guessing an operator's grammatical gender.
export const panel: PanelCatalog = {
  close: 'Закрити чат',
  online: 'Ми на зв’язку',
  offline: 'Залиште повідомлення',
  away: 'Зараз нас немає на місці. Залиште повідомлення — ми відповімо тут.',
  connecting: 'Підключення…',
  log: 'Листування',
  greeting: 'Вітаємо! Чим можемо допомогти?',
  you: 'Ви',
  support: 'Підтримка',
  label: 'Повідомлення',
  placeholder: 'Напишіть повідомлення…',
  send: 'Надіслати',
  sending: 'Надсилається',
  sent: 'Надіслано',
  delivered: 'Доставлено',
  failed: 'Не надіслано',
  retry: 'Повторити',
  joined: '{name} тепер у чаті',
  left: '{name} залишає чат',
  ended: 'Чат завершено',
  typing: '{name} друкує…',
  charsLeft: 'Залишилось символів: {n}',
  charsOver: 'Зайвих символів: {n}',
  dismiss: 'Сховати',
  errTooLong: 'Повідомлення може містити не більше 4000 символів.',
  errEmpty: 'Повідомлення порожнє.',
  errInvalid: 'У повідомленні є символи, які не можна надіслати.',
  errRateLimited: 'Ви надсилаєте повідомлення надто часто. Зачекайте трохи.',
  errUnavailable: 'Чат зараз недоступний. Спробуйте пізніше.',
  errGeneric: 'Щось пішло не так. Спробуйте ще раз.',
};
