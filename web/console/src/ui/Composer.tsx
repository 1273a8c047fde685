import { useEffect, useRef, useState } from 'preact/hooks';
import type { Canned } from '../../../protocol/Canned';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { WorkspaceApi } from '../conversation/api';
import { cannedQuery, fillCanned, matchCanned } from '../conversation/canned';
import { formatNumber } from '../i18n/format';
import { t, type MessageKey } from '../i18n/i18n';
import type { OutgoingKind } from '../live/delivery';
import { MAX_MESSAGE_CHARS, messageLength, type ConsoleStore } from '../state/store';

const MODE_NAMES: Record<OutgoingKind, MessageKey> = {
  send: 'composer.mode_send',
  whisper: 'composer.mode_whisper',
  note: 'composer.mode_note',
};

/**
 * The reply box: Enter sends, Shift+Enter breaks the line. `modes` are what I may
 * write here (to the visitor, a whisper to staff, a note); none leaves it shut.
 */
export function Composer({
  store,
  conversation: c,
  modes,
  api,
}: {
  store: ConsoleStore;
  conversation: ConversationSummary;
  modes: readonly OutgoingKind[];
  api?: WorkspaceApi | undefined;
}) {
  const canWrite = modes.length > 0;
  const [chosen, setChosen] = useState<OutgoingKind>(modes[0] ?? 'send');
  const mode = modes.includes(chosen) ? chosen : (modes[0] ?? 'send');
  const text = store.drafts.value.get(c.id) ?? '';
  const length = messageLength(text);
  const over = length - MAX_MESSAGE_CHARS;
  const box = useRef<HTMLTextAreaElement>(null);
  const pickerKeys = useRef<PickerKeys | null>(null);
  const query = canWrite && api ? cannedQuery(text) : null;

  // Taking a chat moves the keyboard straight to the reply box.
  useEffect(() => {
    if (canWrite) box.current?.focus();
  }, [canWrite]);

  // Only text for the visitor tells them I am typing; whispers, notes and a `/` search do not.
  const setText = (value: string) => store.setDraft(c.id, value, mode === 'send' && cannedQuery(value) === null);

  const send = () => {
    if (canWrite && store.send(c.id, text, mode)) box.current?.focus();
  };

  const reason =
    c.status === 'waiting'
      ? t('conv.take_to_reply')
      : c.status === 'closed'
        ? t('conv.closed_no_reply')
        : t('conv.other_no_reply', { name: c.assignee?.name ?? t('event.someone') });
  const hint = !canWrite
    ? reason
    : mode === 'whisper'
      ? t('composer.whisper_hint')
      : mode === 'note'
        ? t('composer.note_hint')
        : api
          ? `${t('composer.hint')} ${t('composer.canned_hint')}`
          : t('composer.hint');
  const label = mode === 'send' ? t('composer.label') : t(MODE_NAMES[mode]);

  return (
    <form
      class={`composer composer--${mode}`}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {modes.length > 1 && (
        <div class="composer__modes" role="group" aria-label={t('composer.mode')}>
          {modes.map((m) => (
            <button
              key={m}
              type="button"
              class={`chip${m === mode ? ' chip--on' : ''}`}
              aria-pressed={m === mode}
              data-mode={m}
              onClick={() => {
                setChosen(m);
                box.current?.focus();
              }}
            >
              {t(MODE_NAMES[m])}
            </button>
          ))}
        </div>
      )}
      <label class="sr-only" for="composer-text">
        {label}
      </label>
      <div class="composer__field">
        {query !== null && api && (
          <CannedPicker
            api={api}
            store={store}
            conversation={c}
            query={query}
            keys={pickerKeys}
            onPick={(value) => {
              setText(value);
              box.current?.focus();
            }}
          />
        )}
        <textarea
          id="composer-text"
          ref={box}
          rows={3}
          value={text}
          disabled={!canWrite}
          aria-invalid={over > 0}
          aria-describedby="composer-hint composer-count"
          onInput={(e) => setText(e.currentTarget.value)}
          aria-controls={query !== null && api ? 'canned-list' : undefined}
          onKeyDown={(e) => {
            // The canned list, when open, handles its own keys first.
            if (pickerKeys.current?.(e)) return;
            // While an input method is composing (Japanese, for one), Enter confirms the candidate.
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
      </div>
      <div class="composer__foot">
        <p class="composer__hint" id="composer-hint">
          {hint}
        </p>
        <p class={`composer__count${over > 0 ? ' composer__count--over' : ''}`} id="composer-count">
          {over > 0
            ? t('composer.too_long', { count: formatNumber(over) })
            : t('composer.counter', { count: formatNumber(length), max: formatNumber(MAX_MESSAGE_CHARS) })}
        </p>
        <button class="button button--primary" type="submit" disabled={!canWrite || !text.trim() || over > 0}>
          {mode === 'send' ? t('composer.send') : t(MODE_NAMES[mode])}
        </button>
      </div>
    </form>
  );
}

/** Handles a key for the open canned list; true when the key was its own. */
type PickerKeys = (e: KeyboardEvent) => boolean;

/**
 * The canned answers matching the `/` query, as a listbox driven from the textarea:
 * arrows move, Enter or Tab picks, Escape closes. Answers load each time the list opens.
 */
function CannedPicker({
  api,
  store,
  conversation: c,
  query,
  keys,
  onPick,
}: {
  api: WorkspaceApi;
  store: ConsoleStore;
  conversation: ConversationSummary;
  query: string;
  keys: { current: PickerKeys | null };
  onPick: (text: string) => void;
}) {
  const [list, setList] = useState<readonly Canned[] | null>(null);
  const [active, setActive] = useState(0);
  const [closed, setClosed] = useState(false);

  useEffect(() => {
    let live = true;
    api.canned(c.site_id).then(
      (answers) => live && setList(answers),
      () => live && setList([]),
    );
    return () => {
      live = false;
    };
  }, [api, c.site_id]);

  const matches = list ? matchCanned(list, query) : [];
  const index = Math.min(active, Math.max(0, matches.length - 1));

  useEffect(() => setActive(0), [query]);

  const pick = async (canned: Canned) => {
    const ctx = await api.visitorContext(c.site_id, c.visitor_id).catch(() => ({}));
    onPick(fillCanned(canned, { visitorName: c.visitor_label, ...ctx, operatorName: store.me.value.name }));
  };

  keys.current = closed
    ? null
    : (e) => {
        if (e.isComposing) return false;
        if (e.key === 'Escape') {
          setClosed(true);
        } else if (matches.length === 0) {
          // Enter on a `/word` that matches nothing must not send it to the visitor.
          if (e.key !== 'Enter') return false;
        } else if (e.key === 'ArrowDown') {
          setActive((index + 1) % matches.length);
        } else if (e.key === 'ArrowUp') {
          setActive((index - 1 + matches.length) % matches.length);
        } else if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
          void pick(matches[index]!);
        } else {
          return false;
        }
        e.preventDefault();
        return true;
      };
  useEffect(
    () => () => {
      keys.current = null;
    },
    [],
  );

  if (closed) return null;
  return (
    <ul class="canned" id="canned-list" role="listbox" aria-label={t('composer.canned')}>
      {list === null ? (
        <li class="canned__empty">{t('composer.canned_loading')}</li>
      ) : matches.length === 0 ? (
        <li class="canned__empty">{t('composer.canned_none')}</li>
      ) : (
        matches.map((canned, i) => (
          <li
            key={canned.id}
            id={`canned-${i}`}
            class="canned__item"
            role="option"
            aria-selected={i === index}
            onMouseDown={(e) => {
              e.preventDefault();
              void pick(canned);
            }}
          >
            <span>
              <span class="canned__shortcut">/{canned.shortcut}</span> {canned.title}
            </span>
            <span class="canned__text">{canned.text}</span>
          </li>
        ))
      )}
    </ul>
  );
}
