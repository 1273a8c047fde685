import { describe, expect, it, vi } from 'vitest';
import { ME, T0, summary, textEvent } from '../test/fixtures';
import { workspaceAlerts } from './workspace';

function setup(onScreen = false) {
  const chime = { play: vi.fn() };
  const notify = vi.fn();
  const open = vi.fn();
  const alerts = workspaceAlerts({ chime, me: () => ME.id, onScreen: () => onScreen, notify, open });
  return { chime, notify, open, alerts };
}

describe('workspace alerts', () => {
  it('ring and notify for a visitor message in my chat, opening it on click', () => {
    const { chime, notify, open, alerts } = setup();
    alerts.onChatEvent!(summary('a', { visitor_label: 'Kim' }), textEvent('a', 3, 'Where is my order?'));
    expect(chime.play).toHaveBeenCalledOnce();
    expect(notify).toHaveBeenCalledWith('Message from Kim', 'Where is my order?', 'a', expect.any(Function));
    (notify.mock.calls[0]![3] as () => void)();
    expect(open).toHaveBeenCalledWith('a');
  });

  it('name the colleague for a whisper', () => {
    const { notify, alerts } = setup();
    alerts.onChatEvent!(summary('a'), {
      conversation_id: 'a',
      seq: 2,
      at: T0,
      author: { kind: 'agent', id: 'staff-bo', name: 'Bo' },
      body: { kind: 'whisper', text: 'psst' },
    });
    expect(notify.mock.calls[0]!.slice(0, 2)).toEqual(['Whisper from Bo', 'psst']);
  });

  it('stay quiet for the chat on screen', () => {
    const { chime, notify, alerts } = setup(true);
    alerts.onChatEvent!(summary('a'), textEvent('a', 3, 'hi'));
    expect(chime.play).not.toHaveBeenCalled();
    expect(notify).not.toHaveBeenCalled();
  });

  it('ring for a transfer offered to me, with its note', () => {
    const { chime, notify, alerts } = setup(true);
    alerts.onTransferOffer!({ conversationId: 'a', from: { id: 'staff-bo', name: 'Bo' }, note: 'VIP', expiresAt: T0 });
    expect(chime.play).toHaveBeenCalledOnce();
    expect(notify.mock.calls[0]!.slice(0, 3)).toEqual(['Bo offers you a chat', 'VIP', 'transfer:a']);
  });
});
