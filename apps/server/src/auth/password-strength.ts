import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/** What a password check answers: ok, or why not in words a researcher understands. */
export type StrengthVerdict = { ok: true } | { ok: false; message: string };

let factory: Promise<ZxcvbnFactory> | null = null;

/** zxcvbn-ts with its common and English dictionaries, loaded on first use (a few MB, ~250 ms). */
function estimator(): Promise<ZxcvbnFactory> {
  return (factory ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en'),
    ]);
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
  })());
}

/**
 * Checks a new password with zxcvbn (Dropbox's estimator, maintained as
 * zxcvbn-ts): a score of 0–4 from how many guesses it would take, counting
 * dictionary words, keyboard patterns, dates and the account's own email and name.
 */
export async function checkPasswordStrength(password: string, minScore: number, userInputs: string[] = []): Promise<StrengthVerdict> {
  if (minScore <= 0) return { ok: true };
  const inputs = userInputs.flatMap((s) => [s, ...s.split(/[@.\s_-]+/)]).filter((s) => s.length >= 3);
  const r = (await estimator()).check(password.slice(0, 256), inputs);
  if (r.score >= minScore) return { ok: true };
  const hint = [r.feedback.warning, ...r.feedback.suggestions].filter((s): s is string => !!s).join(' ');
  return { ok: false, message: `This password is too easy to guess.${hint ? ` ${hint}` : ''} A few unrelated words together make a strong one.` };
}
