import type { LauncherCatalog, PanelCatalog } from './en';

export const launcher: LauncherCatalog = {
  chat: 'Напишите нам',
  online: 'Мы на связи',
  offline: 'Оставьте сообщение',
  unread: 'Непрочитанных сообщений',
};

// Present-tense and noun phrasing avoids guessing an operator's grammatical gender.
export const panel: PanelCatalog = {
  close: 'Закрыть чат',
  online: 'Мы на связи',
  offline: 'Оставьте сообщение',
  away: 'Сейчас нас нет на месте. Оставьте сообщение — мы ответим здесь.',
  connecting: 'Подключение…',
  log: 'Переписка',
  greeting: 'Здравствуйте! Чем можем помочь?',
  you: 'Вы',
  support: 'Поддержка',
  label: 'Сообщение',
  placeholder: 'Напишите сообщение…',
  send: 'Отправить',
  sending: 'Отправляется',
  sent: 'Отправлено',
  delivered: 'Доставлено',
  failed: 'Не отправлено',
  retry: 'Повторить',
  joined: '{name} теперь в чате',
  left: '{name} покидает чат',
  ended: 'Чат завершён',
  typing: '{name} печатает…',
  charsLeft: 'Осталось символов: {n}',
  charsOver: 'Лишних символов: {n}',
  dismiss: 'Скрыть',
  errTooLong: 'Сообщение может быть не длиннее 4000 символов.',
  errEmpty: 'Сообщение пустое.',
  errInvalid: 'В сообщении есть символы, которые нельзя отправить.',
  errRateLimited: 'Вы отправляете сообщения слишком часто. Подождите немного.',
  errUnavailable: 'Чат сейчас недоступен. Попробуйте позже.',
  errGeneric: 'Что-то пошло не так. Попробуйте ещё раз.',
};
