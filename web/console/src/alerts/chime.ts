/**
 * A short two-tone chime synthesised with WebAudio, so no sound file is shipped or fetched.
 * Browsers keep an AudioContext suspended until the page has had a user gesture, so the
 * context is created (or resumed) on the operator's first click or key press.
 */
export class Chime {
  private context: AudioContext | null = null;

  /** Arms the chime on the first gesture; returns a function that disarms it. */
  unlockOnGesture(target: EventTarget = window): () => void {
    const unlock = () => {
      void this.audio()?.resume();
    };
    target.addEventListener('pointerdown', unlock, true);
    target.addEventListener('keydown', unlock, true);
    return () => {
      target.removeEventListener('pointerdown', unlock, true);
      target.removeEventListener('keydown', unlock, true);
    };
  }

  play(): void {
    const audio = this.audio();
    if (!audio) return;
    if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
    const start = audio.currentTime;
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.5);
    for (const [frequency, offset] of [
      [880, 0],
      [1318.5, 0.14],
    ] as const) {
      const tone = audio.createOscillator();
      tone.type = 'sine';
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(start + offset);
      tone.stop(start + 0.5);
    }
  }

  close(): void {
    void this.context?.close();
    this.context = null;
  }

  private audio(): AudioContext | null {
    if (!this.context && typeof AudioContext !== 'undefined') this.context = new AudioContext();
    return this.context;
  }
}
