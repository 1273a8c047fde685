import { useEffect, useRef, useState } from 'preact/hooks';
import type { ErrorCode } from '../../../../protocol/ErrorCode';
import type { PanelCatalog } from '../../i18n/en';
import { format, type Lang } from '../../i18n/lang';
import { closedText, type Field, type FieldErrors, type OfflineFields, validate } from '../offline';
import type { ChatStore } from '../store';

interface Props {
  store: ChatStore;
  strings: PanelCatalog;
  lang: Lang;
}

/** The offline form, or its confirmation once the server has the message. */
export function OfflinePane({ store, strings, lang }: Props) {
  const desk = store.offline;
  // Focus follows the visitor's own steps: to the form they chose from the chat (the queue's
  // link, a department nobody is in), to its confirmation and back; a confirmation restored
  // on a later page stays quiet.
  const [stepped, setStepped] = useState(() => desk.leaving.peek());
  return (
    <div class="off">
      {desk.leaving.value && (
        <button type="button" class="link" onClick={() => desk.backToChat()}>
          {strings.backToChat}
        </button>
      )}
      {store.mode.value === 'sent' ? (
        <Confirmation store={store} strings={strings} focus={stepped} onAnother={() => setStepped(true)} />
      ) : (
        <OfflineForm store={store} strings={strings} lang={lang} focus={stepped} onSubmit={() => setStepped(true)} />
      )}
    </div>
  );
}

interface ConfirmationProps {
  store: ChatStore;
  strings: PanelCatalog;
  focus: boolean;
  onAnother(): void;
}

function Confirmation({ store, strings, focus, onAnother }: ConfirmationProps) {
  const desk = store.offline;
  const text = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (focus) text.current!.focus();
  }, []);
  return (
    <div class="done">
      <p ref={text} role="status" tabIndex={-1}>
        {format(strings.thanks, { email: desk.left.value?.email ?? '' })}
      </p>
      <button
        type="button"
        class="alt"
        onClick={() => {
          onAnother();
          desk.another();
        }}
      >
        {strings.another}
      </button>
    </div>
  );
}

const FIELDS: Field[] = ['name', 'email', 'phone', 'message', 'consent'];

const SERVER_ERRORS: Partial<Record<ErrorCode, keyof PanelCatalog>> = {
  invalid_input: 'errForm',
  text_empty: 'errMessage',
  text_too_long: 'errTooLong',
  text_invalid: 'errInvalid',
  rate_limited: 'errRateLimited',
  unavailable: 'errUnavailable',
  // A server without offline messages yet.
  unknown_frame: 'errUnavailable',
};

function OfflineForm({ store, strings, lang, focus, onSubmit }: Props & { focus: boolean; onSubmit(): void }) {
  const desk = store.offline;
  const consentText = desk.availability.value?.consent_text || '';
  const [fields, setFields] = useState<OfflineFields>(() => ({
    name: desk.knownName(),
    email: desk.knownEmail(),
    phone: '',
    message: '',
    consent: false,
    website: '',
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  // After a first try, errors are checked again as the visitor corrects them.
  const [tried, setTried] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const sending = desk.sending.value;
  const serverError = desk.error.value;
  useEffect(() => {
    if (focus) form.current!.querySelector<HTMLElement>('#sk-name')!.focus();
  }, []);

  const change = (next: OfflineFields) => {
    setFields(next);
    if (tried) setErrors(validate(next, !!consentText));
  };
  const input = (field: Exclude<keyof OfflineFields, 'consent'>) => (e: { currentTarget: { value: string } }) =>
    change({ ...fields, [field]: e.currentTarget.value });

  const submit = (e: Event) => {
    e.preventDefault();
    if (sending) return;
    const found = validate(fields, !!consentText);
    setErrors(found);
    setTried(true);
    const first = FIELDS.find((field) => found[field]);
    if (first) {
      form.current!.querySelector<HTMLElement>(`#sk-${first}`)!.focus();
      return;
    }
    onSubmit();
    desk.submit(fields);
  };

  // Label, field, and what is wrong with it, tied together for assistive technology.
  const described = (field: Field) => ({
    id: `sk-${field}`,
    'aria-invalid': errors[field] ? ('true' as const) : undefined,
    'aria-describedby': errors[field] ? `sk-${field}-err` : undefined,
  });
  const problem = (field: Field) =>
    errors[field] && (
      <p id={`sk-${field}-err`} class="fe">
        {strings[errors[field]!]}
      </p>
    );

  return (
    <form ref={form} class="of" noValidate aria-labelledby="sk-off" aria-busy={sending} onSubmit={submit}>
      <h3 id="sk-off">{closedText(strings, lang, desk.availability.value)}</h3>
      <p class="oi">{strings.offlineIntro}</p>
      <label for="sk-name">{strings.yourName}</label>
      <input {...described('name')} type="text" autocomplete="name" required value={fields.name} onInput={input('name')} />
      {problem('name')}
      <label for="sk-email">{strings.email}</label>
      <input {...described('email')} type="email" autocomplete="email" required value={fields.email} onInput={input('email')} />
      {problem('email')}
      <label for="sk-phone">{strings.phone}</label>
      <input {...described('phone')} type="tel" autocomplete="tel" value={fields.phone} onInput={input('phone')} />
      {problem('phone')}
      <label for="sk-message">{strings.label}</label>
      <textarea {...described('message')} rows={4} required value={fields.message} onInput={input('message')} />
      {problem('message')}
      {consentText && (
        <>
          <p class="cb">
            <input
              {...described('consent')}
              type="checkbox"
              required
              checked={fields.consent}
              onChange={(e) => change({ ...fields, consent: e.currentTarget.checked })}
            />
            {/* The site's own words, as text. */}
            <label for="sk-consent">{consentText}</label>
          </p>
          {problem('consent')}
        </>
      )}
      {/* For bots only: off-screen, out of the tab order and of the accessibility tree. */}
      <div class="trap" aria-hidden="true">
        <label for="sk-website">Website</label>
        <input
          id="sk-website"
          name="website"
          type="text"
          tabIndex={-1}
          autocomplete="off"
          value={fields.website}
          onInput={input('website')}
        />
      </div>
      <div class="err" role="alert">
        {serverError && <p>{strings[SERVER_ERRORS[serverError] ?? 'errGeneric']}</p>}
      </div>
      <p class="sub">
        <button type="submit" class="ok" aria-disabled={sending}>
          {strings.sendMessage}
        </button>
        <span role="status">{sending ? strings.sendingMessage : ''}</span>
      </p>
    </form>
  );
}
