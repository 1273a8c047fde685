import { useEffect, useRef, useState } from 'preact/hooks';
import type { PanelHost } from '../../contract';
import type { PanelCatalog } from '../../i18n/en';
import { format, type Lang } from '../../i18n/lang';
import { errorText } from '../i18n';
import { isEmail } from '../offline';
import type { ChatStore } from '../store';
import { download, fileName, printTranscript, transcriptHtml, transcriptOf, transcriptText } from '../transcript';
import { DownloadIcon, MailIcon, PrintIcon } from './icons';

interface Props {
  store: ChatStore;
  host: PanelHost;
  strings: PanelCatalog;
  lang: Lang;
}

/**
 * Email, print and download the current conversation: there as soon as it has events,
 * and drawing the eye once the chat has ended.
 */
export function TranscriptTools({ store, host, strings, lang }: Props) {
  const [open, setOpen] = useState<'email' | 'download' | null>(null);
  const emailButton = useRef<HTMLButtonElement>(null);
  const events = store.transcript.value;
  const conversation = store.current.value;
  const mail = store.offline.mail.value;
  // Queued: the address form goes, and the focus back to the button that opened it.
  const queued = mail?.state === 'queued';
  useEffect(() => {
    if (queued && open === 'email') {
      setOpen(null);
      emailButton.current?.focus();
    }
  }, [queued]);
  if (!events.length || !conversation) return null;
  const ended = store.status.value === 'closed';
  const transcript = () => transcriptOf(events, store.welcome.peek()?.look.site_name || strings.support, strings, lang);
  const toggle = (menu: 'email' | 'download') => {
    if (menu === 'email') store.offline.dismissMail();
    setOpen(open === menu ? null : menu);
  };

  return (
    <div class={ended ? 'tr hi' : 'tr'} role="group" aria-label={strings.transcript}>
      <div class="tb">
        {ended && <p>{strings.keepCopy}</p>}
        <button
          ref={emailButton}
          type="button"
          class="ti"
          aria-label={strings.emailTranscript}
          title={strings.emailTranscript}
          aria-expanded={open === 'email'}
          onClick={() => toggle('email')}
        >
          <MailIcon />
        </button>
        <button
          type="button"
          class="ti"
          aria-label={strings.printTranscript}
          title={strings.printTranscript}
          onClick={() => printTranscript(transcript(), host.root)}
        >
          <PrintIcon />
        </button>
        <button
          type="button"
          class="ti"
          aria-label={strings.downloadTranscript}
          title={strings.downloadTranscript}
          aria-expanded={open === 'download'}
          onClick={() => toggle('download')}
        >
          <DownloadIcon />
        </button>
      </div>
      {open === 'download' && (
        <p class="acts">
          <button
            type="button"
            onClick={() => {
              const t = transcript();
              download(transcriptText(t), 'text/plain', fileName(t, 'txt'), host.root);
            }}
          >
            {strings.downloadText}
          </button>
          <button
            type="button"
            onClick={() => {
              const t = transcript();
              download(transcriptHtml(t), 'text/html', fileName(t, 'html'), host.root);
            }}
          >
            {strings.downloadHtml}
          </button>
        </p>
      )}
      {open === 'email' && !queued && (
        <EmailForm
          store={store}
          strings={strings}
          onCancel={() => {
            setOpen(null);
            emailButton.current?.focus();
          }}
          conversation={conversation}
        />
      )}
      <p class="tq" role="status">
        {queued ? format(strings.transcriptQueued, { email: mail.email }) : ''}
      </p>
    </div>
  );
}

function EmailForm({
  store,
  strings,
  conversation,
  onCancel,
}: {
  store: ChatStore;
  strings: PanelCatalog;
  conversation: string;
  onCancel(): void;
}) {
  const desk = store.offline;
  const [email, setEmail] = useState(() => desk.knownEmail());
  const [problem, setProblem] = useState<string | null>(null);
  const mail = desk.mail.value;
  const sending = mail?.state === 'sending';
  const refused =
    mail?.state !== 'failed' ? null : mail.code === 'invalid_input' ? strings.errEmail : errorText(strings, mail.code);
  const shown = problem ?? refused;
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current!.focus(), []);

  return (
    <form
      class="te"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (sending) return;
        const to = email.trim();
        if (!isEmail(to)) return setProblem(strings.errEmail);
        setProblem(desk.emailTranscript(conversation, to) ? null : strings.errUnavailable);
      }}
    >
      <label for="sk-transcript-to">{strings.transcriptTo}</label>
      <input
        ref={field}
        id="sk-transcript-to"
        type="email"
        autocomplete="email"
        required
        value={email}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={shown ? 'sk-transcript-err' : undefined}
        onInput={(e) => setEmail(e.currentTarget.value)}
      />
      <p class="acts">
        <button type="submit" class="ok" aria-disabled={sending}>
          {strings.sendTranscript}
        </button>
        <button type="button" onClick={onCancel}>
          {strings.cancel}
        </button>
      </p>
      <p id="sk-transcript-err" class="fe" role="alert">
        {shown}
      </p>
    </form>
  );
}
