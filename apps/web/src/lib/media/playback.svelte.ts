import { turnIndexAtTime } from '@concord/shared';

/** Seconds the back and forward keys jump. */
export const SKIP_SECONDS = 5;

/**
 * One person's player for a transcript's recording: where it is, whether it
 * plays, and which turn is being spoken. Each browser has its own (nothing of
 * it is shared through the document), so two coders can listen to different
 * places of the same interview.
 */
export class PlaybackState {
  time = $state(0);
  playing = $state(false);
  /** Scroll the transcript along with the recording. */
  follow = $state(true);
  /** Turn times, in text order (the transcript's turns). */
  turns = $state.raw<readonly { startTime: number | null; endTime: number | null }[]>([]);
  #el: HTMLMediaElement | null = null;
  #detach: (() => void) | null = null;

  /** Index of the turn being spoken, or -1 (nothing played yet, or between timed turns). */
  readonly current = $derived(this.playing || this.time > 0 ? turnIndexAtTime(this.turns, this.time) : -1);

  attach(el: HTMLMediaElement): () => void {
    this.#detach?.();
    this.#el = el;
    const sync = () => {
      this.time = el.currentTime;
      this.playing = !el.paused && !el.ended;
    };
    const events = ['timeupdate', 'play', 'pause', 'seeked', 'ended', 'loadedmetadata'] as const;
    for (const e of events) el.addEventListener(e, sync);
    sync();
    this.#detach = () => {
      for (const e of events) el.removeEventListener(e, sync);
      if (this.#el === el) this.#el = null;
    };
    return this.#detach;
  }

  /** Moves to `seconds` and, unless told otherwise, plays from there. */
  seek(seconds: number, play = true): void {
    const el = this.#el;
    if (!el) return;
    el.currentTime = Math.max(0, seconds);
    this.time = el.currentTime;
    if (play) void el.play().catch(() => {});
  }

  toggle(): void {
    const el = this.#el;
    if (!el) return;
    if (el.paused) void el.play().catch(() => {});
    else el.pause();
  }

  skip(delta: number): void {
    const el = this.#el;
    if (el) this.seek(el.currentTime + delta, !el.paused);
  }
}
