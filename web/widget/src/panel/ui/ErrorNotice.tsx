import type { PanelCatalog } from '../../i18n/en';
import { errorText } from '../i18n';
import type { ChatStore } from '../store';

/** The last refusal from the server, in words; the region is always there so it is announced. */
export function ErrorNotice({ store, strings }: { store: ChatStore; strings: PanelCatalog }) {
  const code = store.error.value;
  return (
    <div class="err" role="alert">
      {code && (
        <>
          <p>{errorText(strings, code)}</p>
          <button type="button" onClick={() => store.dismissError()}>
            {strings.dismiss}
          </button>
        </>
      )}
    </div>
  );
}
