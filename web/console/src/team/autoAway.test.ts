import { describe, expect, it } from 'vitest';
import { onInput, onPeerAway, onStatus, onTick, parseMinutes, startAway } from './autoAway';

const MIN = 60_000;

describe('auto-away', () => {
  it('sets an online operator away after the timeout without input, once', () => {
    let s = startAway(0);
    expect(onTick(s, 9 * MIN, 'online', 10 * MIN).set).toBeNull();
    const step = onTick(s, 10 * MIN, 'online', 10 * MIN);
    expect(step.set).toBe('away');
    s = step.state;
    expect(onTick(s, 20 * MIN, 'away', 10 * MIN).set).toBeNull();
  });

  it('brings the operator back on input only when it set away itself', () => {
    const auto = onTick(startAway(0), 10 * MIN, 'online', 10 * MIN).state;
    expect(onInput(auto, 11 * MIN, 'away').set).toBe('online');
    expect(onInput(startAway(0), 11 * MIN, 'away').set).toBeNull();
  });

  it('leaves a chosen status alone', () => {
    expect(onTick(startAway(0), 60 * MIN, 'away', 10 * MIN).set).toBeNull();
    expect(onTick(startAway(0), 60 * MIN, 'offline', 10 * MIN).set).toBeNull();
    // The operator picked online by hand after the console's away: later input changes nothing.
    const auto = onTick(startAway(0), 10 * MIN, 'online', 10 * MIN).state;
    const manual = onStatus(auto, 'online');
    expect(manual.autoAway).toBe(false);
    expect(onInput(manual, 12 * MIN, 'away').set).toBeNull();
  });

  it('counts input from other tabs and follows their away', () => {
    let s = onInput(startAway(0), 8 * MIN, 'online').state;
    expect(onTick(s, 12 * MIN, 'online', 10 * MIN).set).toBeNull();
    s = onPeerAway(s);
    expect(onInput(s, 13 * MIN, 'away').set).toBe('online');
    // Input reported late never moves the clock back.
    expect(onInput(s, 1 * MIN, 'online').state.lastInput).toBe(8 * MIN);
  });

  it('is off with a timeout of zero', () => {
    expect(onTick(startAway(0), 600 * MIN, 'online', 0).set).toBeNull();
  });

  it('reads the saved minutes', () => {
    expect(parseMinutes(null)).toBe(10);
    expect(parseMinutes('5')).toBe(5);
    expect(parseMinutes('0')).toBe(0);
    expect(parseMinutes('-3')).toBe(10);
    expect(parseMinutes('x')).toBe(10);
    expect(parseMinutes('1000')).toBe(240);
  });
});
