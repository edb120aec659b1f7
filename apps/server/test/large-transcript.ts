/**
 * A synthetic transcript of a given size: `turns` labelled turns (`Interviewer:` /
 * `Participant:` alternating) whose words fill `bytes` of UTF-8 in all. Used by
 * the import tests and `bench/src/import-stall.ts` to upload the largest allowed file.
 */
export function largeTranscript(bytes: number, turns: number): string {
  const labels = ['Interviewer', 'Participant'];
  const words = 'the model quality data drift metrics were a poor proxy for what users saw in production and we'.split(' ');
  const perTurn = Math.floor(bytes / turns);
  const parts: string[] = [];
  let total = 0;
  for (let i = 0; i < turns; i++) {
    let line = `${labels[i % 2]}: Turn ${i}`;
    for (let w = i; line.length + 2 < perTurn; w++) line += ` ${words[w % words.length]}`;
    line = line.slice(0, Math.max(perTurn - 2, 20));
    total += line.length + 2;
    if (total > bytes) break;
    parts.push(line);
  }
  return parts.join('\n\n') + '\n';
}
