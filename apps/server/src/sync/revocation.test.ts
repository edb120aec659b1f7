import { describe, expect, it } from 'vitest';
import { commentsRoom, codebookRoom, layerRoom, transcriptRoom } from '@concord/shared';
import type { Connection } from './connection.ts';
import { Revocation, revocationMatcher } from './revocation.ts';
import type { Room } from './room.ts';

const conn = (userId: string, projectId: string, credentialId: string | null) => ({ userId, projectId, credentialId }) as Connection;
const room = (name: string) => ({ name }) as Room;
const base = { code: 4509, reason: 'test' };

describe('revocations', () => {
  it('match sockets by credential, by member, by transcript or only its layers', () => {
    const ada = conn('ada', 'p1', 's-ada');
    const ben = conn('ben', 'p1', 's-ben');
    const adaElsewhere = conn('ada', 'p2', 's-ada2');
    const byCredential = revocationMatcher({ ...base, credentialId: 's-ada' });
    expect(byCredential(ada, room(codebookRoom('p1')))).toBe(true);
    expect(byCredential(ben, room(codebookRoom('p1')))).toBe(false);

    const byMember = revocationMatcher({ ...base, member: { projectId: 'p1', userId: 'ada' } });
    expect(byMember(ada, room(transcriptRoom('p1', 't1')))).toBe(true);
    expect(byMember(adaElsewhere, room(codebookRoom('p2')))).toBe(false);
    expect(byMember(ben, room(codebookRoom('p1')))).toBe(false);

    const byTranscript = revocationMatcher({ ...base, transcript: { projectId: 'p1', transcriptId: 't1' } });
    for (const name of [transcriptRoom('p1', 't1'), commentsRoom('p1', 't1'), layerRoom('p1', 't1', 'ada')]) expect(byTranscript(ben, room(name))).toBe(true);
    for (const name of [transcriptRoom('p1', 't10'), transcriptRoom('p1', 't2'), codebookRoom('p1'), transcriptRoom('p2', 't1')]) expect(byTranscript(ben, room(name))).toBe(false);

    const layers = revocationMatcher({ ...base, transcript: { projectId: 'p1', transcriptId: 't1' }, layersOnly: true });
    expect(layers(ben, room(layerRoom('p1', 't1', 'ada')))).toBe(true);
    expect(layers(ben, room(transcriptRoom('p1', 't1')))).toBe(false);
    expect(layers(ben, room(commentsRoom('p1', 't1')))).toBe(false);
  });

  it('must name what they revoke, and come through JSON intact', () => {
    expect(Revocation.safeParse({ ...base }).success).toBe(false);
    expect(Revocation.safeParse({ ...base, credentialId: '' }).success).toBe(false);
    expect(Revocation.safeParse({ credentialId: 'x', code: 99, reason: 'r' }).success).toBe(false);
    const r: Revocation = { ...base, member: { projectId: 'p1', userId: 'ada' } };
    expect(Revocation.parse(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });
});
