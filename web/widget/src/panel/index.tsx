// Entry of the chat panel chunk, loaded by the loader on first open, or when an
// invitation or a greeting must show above the launcher.
import { render } from 'preact';
import type { PanelModule } from '../contract';
import css from './panel.css?inline';
import { ChatStore } from './store';
import { Bubbles } from './ui/Bubble';
import { ChatPanel } from './ui/ChatPanel';

export const mount: PanelModule['mount'] = (host) => {
  const { root, connection, site, launcher } = host;
  const store = new ChatStore(connection, site);
  // The loader sets its host's `lang` to the widget's language, and changes it with the
  // page's setLanguage.
  const element = root.host as HTMLElement | undefined;
  const follow = () => (store.chosenLang.value = element?.lang ?? '');
  follow();
  if (element) new MutationObserver(follow).observe(element, { attributeFilter: ['lang'] });

  const style = document.createElement('style');
  style.textContent = css;
  const container = document.createElement('div');
  container.hidden = true;
  // Bubbles come and go on their own: a polite live region announces them.
  const bubbles = document.createElement('div');
  bubbles.setAttribute('aria-live', 'polite');
  root.append(style, container, bubbles);
  render(<ChatPanel store={store} host={host} />, container);
  render(<Bubbles store={store} host={host} />, bubbles);

  return {
    show(focus) {
      store.shown.value = true;
      container.hidden = false;
      // Laid out only now: start at the latest message.
      const log = container.querySelector('.log');
      if (log) log.scrollTop = log.scrollHeight;
      // The composer, or the first department to choose, the offline form's first field, or its confirmation's button.
      if (focus) container.querySelector<HTMLElement>('#sk-text, .dep button, #sk-name, .done button')?.focus();
    },
    hide() {
      // Give the focus back to the launcher, but only if it was in the panel: the page may
      // have closed it, and must keep its own focus.
      const inside = container.contains(root.activeElement);
      store.shown.value = false;
      container.hidden = true;
      if (inside) launcher.focus();
    },
    bubble(frame) {
      if (frame.type === 'invitation') host.emit('invitation', { text: frame.text, agent: frame.agent?.name ?? null });
      store.showBubble(frame);
    },
  };
};
