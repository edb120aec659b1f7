/**
 * Recording times: how they are written for people (`1:02:03`, `4:05`) and
 * which turn is being spoken at a moment of the recording.
 */

/** `m:ss` under an hour, `h:mm:ss` from an hour on; tenths when `tenths` is set. Negative or invalid → `0:00`. */
export function formatTimecode(seconds: number, tenths = false): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  const whole = Math.floor(total);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const ss = String(s).padStart(2, '0');
  const frac = tenths ? `.${Math.floor((total - whole) * 10 + 1e-6)}` : '';
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}${frac}` : `${m}:${ss}${frac}`;
}

/**
 * Index of the turn being spoken at `seconds`: the last turn (in text order)
 * whose start time is at or before it, as long as that turn has not ended
 * before `seconds` (when its end is known). Turns without a time are skipped.
 * -1 when none.
 */
export function turnIndexAtTime(turns: readonly { startTime: number | null; endTime: number | null }[], seconds: number): number {
  let found = -1;
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i]!.startTime;
    if (t === null) continue;
    if (t <= seconds) found = i;
    else break;
  }
  if (found < 0) return -1;
  const end = turns[found]!.endTime;
  // A pause after a turn whose end is known: nobody is speaking, keep the last turn lit (players show where they are).
  return end !== null && seconds > end + 30 ? -1 : found;
}

/**
 * Where the recording should play from for a position in the text: the start
 * time of the turn containing `offset`, or of the nearest timed turn before it.
 * Null when no turn up to there has a time.
 */
export function timeForOffset(turns: readonly { start: number; startTime: number | null }[], offset: number): number | null {
  let found: number | null = null;
  for (const t of turns) {
    if (t.start > offset) break;
    if (t.startTime !== null) found = t.startTime;
  }
  return found;
}
