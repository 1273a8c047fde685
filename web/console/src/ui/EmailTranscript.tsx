import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { VisitorId } from '../../../protocol/VisitorId';
import type { Api } from '../api/http';
import { t } from '../i18n/i18n';
import { apiErrorText } from './apiError';
import { FormError } from './FormError';

/** The visitor's email from their profile: undefined while loading, null when unknown. */
export function useVisitorEmail(api: Api | undefined, visitor: VisitorId, wanted: boolean): string | null | undefined {
  const [email, setEmail] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    if (!api || !wanted) return;
    let current = true;
    api.visitor(visitor).then(
      (profile) => current && setEmail(profile.identity.email),
      () => current && setEmail(null),
    );
    return () => {
      current = false;
    };
  }, [api, visitor, wanted]);
  return email;
}

/**
 * "Email transcript": a small form with the recipient prefilled from the visitor's profile.
 * An emptied field leaves the choice to the server, which uses the visitor's own address.
 */
export function EmailTranscript({ api, conversation, visitor }: { api: Api; conversation: ConversationId; visitor: VisitorId }) {
  const [open, setOpen] = useState(false);
  const known = useVisitorEmail(api, visitor, open);
  const [to, setTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const value = to ?? known ?? '';

  useEffect(() => {
    if (open) field.current?.focus();
  }, [open]);

  function close() {
    setOpen(false);
    setTo(null);
    setError(null);
    opener.current?.focus();
  }

  async function send(event: SubmitEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSent(null);
    try {
      const address = value.trim();
      const queued = await api.emailTranscript(conversation, address === '' ? undefined : address);
      setSent(t('transcript.sent', { to: queued }));
      setOpen(false);
      setTo(null);
      opener.current?.focus();
    } catch (e) {
      setError(t('transcript.failed', { reason: apiErrorText(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="transcript">
      <button
        class="button button--quiet"
        type="button"
        ref={opener}
        aria-expanded={open}
        aria-controls="transcript-form"
        onClick={() => (open ? close() : (setSent(null), setOpen(true)))}
      >
        {t('transcript.open')}
      </button>
      <p class="transcript__status" role="status">
        {sent}
      </p>
      {open && (
        <form
          class="transcript__form"
          id="transcript-form"
          aria-label={t('transcript.open')}
          aria-busy={busy}
          onSubmit={send}
          onKeyDown={(e) => e.key === 'Escape' && close()}
        >
          <div class="field">
            <label for="transcript-to">{t('transcript.to')}</label>
            <input
              id="transcript-to"
              ref={field}
              type="email"
              value={value}
              placeholder={known === undefined ? t('app.loading') : ''}
              aria-describedby="transcript-hint"
              onInput={(e) => setTo(e.currentTarget.value)}
            />
            <span class="field__hint" id="transcript-hint">
              {t('transcript.hint')}
            </span>
          </div>
          <FormError message={error} />
          <div class="form__actions">
            <button class="button button--primary button--small" type="submit" disabled={busy}>
              {t('transcript.send')}
            </button>
            <button class="button button--quiet button--small" type="button" onClick={close}>
              {t('transcript.cancel')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
