// Entry of the chat panel chunk, loaded by the loader on first open.
import { render } from 'preact';
import type { PanelModule } from '../contract';
import css from './panel.css?inline';
import { ChatStore } from './store';
import { ChatPanel } from './ui/ChatPanel';

export const mount: PanelModule['mount'] = ({ root, connection, site, close }) => {
  const store = new ChatStore(connection, site);
  const style = document.createElement('style');
  style.textContent = css;
  const container = document.createElement('div');
  container.hidden = true;
  root.append(style, container);
  render(<ChatPanel store={store} onClose={close} />, container);

  return {
    show(focus) {
      container.hidden = false;
      // Laid out only now: start at the latest message.
      const log = container.querySelector('.log');
      if (log) log.scrollTop = log.scrollHeight;
      if (focus) container.querySelector('textarea')?.focus();
    },
    hide() {
      container.hidden = true;
    },
  };
};
