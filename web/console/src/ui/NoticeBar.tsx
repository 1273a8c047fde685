import { errorText, t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';

/** The latest error the operator should know about, until dismissed or superseded. */
export function NoticeBar({ store }: { store: ConsoleStore }) {
  const code = store.notice.value;
  if (!code) return null;
  return (
    <div class="notice" role="alert">
      <p>{errorText(code)}</p>
      <button class="button button--quiet" type="button" onClick={() => store.dismissNotice()}>
        {t('conv.dismiss')}
      </button>
    </div>
  );
}
