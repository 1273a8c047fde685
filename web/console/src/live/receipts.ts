import type { AgentClientFrame } from '../../../protocol/AgentClientFrame';
import type { ConversationId } from '../../../protocol/ConversationId';

export const RECEIPT_DELAY_MS = 500;

/**
 * Reports `received {conversation_id, seq}` for events the console applied, at most
 * once per conversation per burst: a history of 500 events yields one frame, not 500.
 */
export class ReceiptReporter {
  private readonly noted = new Map<ConversationId, number>();
  private readonly reported = new Map<ConversationId, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (frame: AgentClientFrame) => boolean,
    private readonly delayMs = RECEIPT_DELAY_MS,
  ) {}

  note(conversationId: ConversationId, seq: number): void {
    if (seq <= (this.noted.get(conversationId) ?? 0)) return;
    this.noted.set(conversationId, seq);
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  /** Sends what is not yet reported; what cannot be sent now waits for the next flush. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [conversation_id, seq] of this.noted) {
      if (seq <= (this.reported.get(conversation_id) ?? 0)) continue;
      if (this.send({ type: 'received', conversation_id, seq })) this.reported.set(conversation_id, seq);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
