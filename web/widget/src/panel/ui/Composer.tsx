import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { PanelCatalog } from '../../i18n/en';
import { format } from '../../i18n/lang';
import type { ChatStore } from '../store';
import { charCount, COUNTER_FROM, MAX_CHARS } from '../text';
import { SendIcon } from './icons';

/** The message field: Enter sends, Shift+Enter starts a new line. */
export function Composer({ store, strings, focus }: { store: ChatStore; strings: PanelCatalog; focus?: boolean }) {
  const [text, setText] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  // Right after the visitor chose a department: the next thing to do is write.
  useEffect(() => {
    if (focus) field.current!.focus();
  }, []);
  const left = MAX_CHARS - charCount(text);
  const counted = left <= COUNTER_FROM;

  // Grow with the text, up to the CSS max-height.
  useLayoutEffect(() => {
    const el = field.current!;
    el.style.height = '';
    el.style.height = `${el.scrollHeight + 2}px`;
  }, [text]);

  const submit = () => {
    if (store.send(text)) setText('');
  };

  return (
    <form
      class="c"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
        field.current!.focus();
      }}
    >
      <label class="sr" for="sk-text">
        {strings.label}
      </label>
      <textarea
        ref={field}
        id="sk-text"
        rows={1}
        value={text}
        placeholder={strings.placeholder}
        aria-describedby={counted ? 'sk-count' : undefined}
        onInput={(e) => {
          setText(e.currentTarget.value);
          store.typed(e.currentTarget.value);
        }}
        onKeyDown={(e) => {
          // Not while an input method composes (Japanese): that Enter confirms the
          // composition. Safari reports it only through keyCode 229.
          if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
          e.preventDefault();
          submit();
        }}
      />
      <button type="submit" class="send" aria-label={strings.send}>
        <SendIcon />
      </button>
      {counted && (
        <p id="sk-count" class={left < 0 ? 'count over' : 'count'}>
          {left < 0 ? format(strings.charsOver, { n: -left }) : format(strings.charsLeft, { n: left })}
        </p>
      )}
    </form>
  );
}
