import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { AgentClientFrame } from '../../../protocol/AgentClientFrame';
import { RECEIPT_DELAY_MS, ReceiptReporter } from './receipts';

let sent: AgentClientFrame[];
let online: boolean;
let reporter: ReceiptReporter;

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  online = true;
  reporter = new ReceiptReporter((f) => online && sent.push(f) > 0);
});
afterEach(() => {
  reporter.dispose();
  vi.useRealTimers();
});

it('reports the highest seq per conversation once per burst', () => {
  for (let seq = 1; seq <= 500; seq++) reporter.note('a', seq);
  reporter.note('b', 2);
  reporter.note('a', 7);
  expect(sent).toEqual([]);
  vi.advanceTimersByTime(RECEIPT_DELAY_MS);
  expect(sent).toEqual([
    { type: 'received', conversation_id: 'a', seq: 500 },
    { type: 'received', conversation_id: 'b', seq: 2 },
  ]);
  vi.advanceTimersByTime(RECEIPT_DELAY_MS * 10);
  expect(sent).toHaveLength(2);
});

it('keeps a report that could not be sent for the next flush', () => {
  online = false;
  reporter.note('a', 3);
  vi.advanceTimersByTime(RECEIPT_DELAY_MS);
  expect(sent).toEqual([]);
  online = true;
  reporter.flush();
  expect(sent).toEqual([{ type: 'received', conversation_id: 'a', seq: 3 }]);
  reporter.flush();
  expect(sent).toHaveLength(1);
});
