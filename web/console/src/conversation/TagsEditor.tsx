import { useState } from 'preact/hooks';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import { ApiError } from '../api/http';
import { errorText, t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import type { WorkspaceApi } from './api';

const TAG = /^[\p{L}\p{N}_-]{1,32}$/u;

/** Staff-only labels on the conversation as small chips; every change saves the whole list. */
export function TagsEditor({ store, api, conversation: c }: { store: ConsoleStore; api: WorkspaceApi; conversation: ConversationSummary }) {
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(tags: string[]) {
    setSaving(true);
    setError(null);
    try {
      store.summary(await api.setTags(c.id, tags));
      return true;
    } catch (e) {
      setError(errorText(e instanceof ApiError ? e.code : 'internal'));
      return false;
    } finally {
      setSaving(false);
    }
  }

  async function add(e: SubmitEvent) {
    e.preventDefault();
    const tag = draft.trim().toLowerCase();
    if (!tag) return;
    if (!TAG.test(tag)) {
      setError(t('conv.tag_invalid'));
      return;
    }
    if (c.tags.includes(tag)) {
      setDraft('');
      return;
    }
    if (await save([...c.tags, tag])) setDraft('');
  }

  return (
    <section class="tags" aria-labelledby="tags-title">
      <h3 class="tags__title" id="tags-title">
        {t('conv.tags')}
      </h3>
      {c.tags.length === 0 ? (
        <p class="field__hint">{t('conv.no_tags')}</p>
      ) : (
        <ul class="tags__list">
          {c.tags.map((tag) => (
            <li key={tag} class="tag">
              <span>{tag}</span>
              <button
                class="tag__remove"
                type="button"
                disabled={saving}
                aria-label={t('conv.tag_remove', { tag })}
                onClick={() => void save(c.tags.filter((x) => x !== tag))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="tags__form" onSubmit={(e) => void add(e)}>
        <label class="sr-only" for="tag-new">
          {t('conv.tag_new')}
        </label>
        <input
          id="tag-new"
          type="text"
          value={draft}
          maxLength={32}
          aria-invalid={error !== null}
          aria-describedby={error ? 'tag-error' : undefined}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <button class="button button--small" type="submit" disabled={saving || !draft.trim()}>
          {t('conv.tag_add')}
        </button>
      </form>
      {error && (
        <p class="field__hint field__hint--error" id="tag-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
