import { useState } from 'preact/hooks';
import type { PanelHost } from '../../contract';
import type { PanelCatalog } from '../../i18n/en';
import { format } from '../../i18n/lang';
import { catalogs } from '../i18n';
import type { ChatStore } from '../store';
import { CloseIcon } from './icons';
import { Text } from './Text';

interface Props {
  store: ChatStore;
  host: PanelHost;
}

/** Above the launcher while the panel is closed: an invitation, or a greeting. */
export function Bubbles({ store, host }: Props) {
  const bubble = store.bubble.value;
  const lang = store.lang.value;
  const strings = catalogs[lang];
  if (!bubble || store.shown.value) return null;
  if (bubble.invitation) return <Invitation store={store} host={host} strings={strings} lang={lang} />;
  return (
    <div class="bub" lang={lang}>
      <p class="bt">{bubble.greeting}</p>
      <button
        type="button"
        class="bx"
        aria-label={strings.hideGreeting}
        onClick={() => {
          store.dismissBubble();
          host.launcher.focus();
        }}
      >
        <CloseIcon />
      </button>
    </div>
  );
}

interface InvitationProps extends Props {
  strings: PanelCatalog;
  lang: string;
  /** Shown inside the open panel rather than above the launcher. */
  inPanel?: boolean;
}

/** An operator's invitation: who, what they say, and the visitor's answer. */
export function Invitation({ store, host, strings, lang, inPanel }: InvitationProps) {
  const invitation = store.bubble.value?.invitation;
  if (!invitation) return null;
  const name = invitation.agent?.name || strings.support;
  return (
    <section class={inPanel ? 'bub in' : 'bub'} lang={lang} aria-label={format(strings.invitation, { name })}>
      <Avatar name={name} photo={invitation.photo} base={host.base} />
      <div class="bm">
        <p class="who">{name}</p>
        <p class="bt">
          <Text text={invitation.text} />
        </p>
        <p class="acts">
          <button
            type="button"
            class="ok"
            onClick={() => {
              if (store.answer(true)) host.open();
            }}
          >
            {strings.reply}
          </button>
          <button
            type="button"
            onClick={() => {
              if (store.answer(false) && !inPanel) host.launcher.focus();
            }}
          >
            {strings.decline}
          </button>
        </p>
      </div>
    </section>
  );
}

/**
 * The operator's photo from the Shopkeep server, else their initials. The name is next to
 * it, so the picture is decorative.
 */
function Avatar({ name, photo, base }: { name: string; photo: string | null; base: string }) {
  const [broken, setBroken] = useState(false);
  // Only a path on the Shopkeep server: never a URL of someone else's choosing.
  if (photo && /^\/[\w/.-]*$/.test(photo) && !photo.startsWith('//') && !broken) {
    return <img class="av" src={base + photo} alt="" onError={() => setBroken(true)} />;
  }
  return (
    <span class="av" aria-hidden="true">
      {initials(name)}
    </span>
  );
}

/** Up to two initials, by code point so that any script works. */
export const initials = (name: string): string =>
  name
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .map((word) => [...word][0] ?? '')
    .join('')
    .toUpperCase();
