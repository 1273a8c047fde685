import type { ConversationId } from '../../../protocol/ConversationId';

export const TYPING_REPEAT_MS = 3_000;
export const TYPING_IDLE_MS = 5_000;

/**
 * Turns keystrokes into throttled typing notices: `active: true` at most every few
 * seconds while typing (so the visitor's indicator stays lit), `active: false` once
 * the operator pauses, empties the box, sends or leaves the conversation.
 */
export class TypingNotifier {
  private active: { conversationId: ConversationId; sentAt: number } | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly notify: (conversationId: ConversationId, active: boolean) => void) {}

  /** The composer of `conversationId` changed; `hasText` is whether anything is left in it. */
  input(conversationId: ConversationId, hasText: boolean): void {
    if (!hasText) return this.stop();
    if (this.active && this.active.conversationId !== conversationId) this.stop();
    const now = Date.now();
    if (!this.active || now - this.active.sentAt >= TYPING_REPEAT_MS) {
      this.notify(conversationId, true);
      this.active = { conversationId, sentAt: now };
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  stop(): void {
    clearTimeout(this.idleTimer);
    if (!this.active) return;
    this.notify(this.active.conversationId, false);
    this.active = null;
  }
}
