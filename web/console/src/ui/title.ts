import { t } from '../i18n/i18n';

/** The tab title: the unread count up front so it shows in a crowded tab strip. */
export function pageTitle(unread: number): string {
  const name = t('app.name');
  return unread > 0 ? `(${unread}) ${name}` : name;
}
