import { describe, expect, it } from 'vitest';
import { matchAudit, mayAudit } from './audit-rules.ts';

describe('audit rules', () => {
  it('record successful changes with their project and subject', () => {
    expect(matchAudit('PATCH', '/projects/p1/members/u2', 200)).toEqual({ action: 'member.role_changed', projectId: 'p1', subject: 'u2', erasesProject: false });
    expect(matchAudit('PUT', '/projects/p1/transcripts/t1/mode', 200)?.action).toBe('transcript.mode_changed');
    expect(matchAudit('POST', '/projects/p1/transcripts/t1/reveal', 200)?.action).toBe('transcript.revealed');
    expect(matchAudit('DELETE', '/projects/p1/transcripts/t1', 204)?.action).toBe('transcript.deleted');
    expect(matchAudit('GET', '/projects/p1/export', 200)?.action).toBe('project.exported');
    expect(matchAudit('DELETE', '/projects/p1', 204)).toEqual({ action: 'project.deleted', projectId: 'p1', subject: null, erasesProject: true });
    expect(matchAudit('DELETE', '/admin/users/u9', 204)).toMatchObject({ action: 'user.deleted', projectId: null, subject: 'u9' });
  });

  it('record refused sign-ins but no other failure, and nothing of plain reads', () => {
    expect(matchAudit('POST', '/auth/login', 401)?.action).toBe('signin.failed');
    expect(matchAudit('POST', '/auth/login', 200)?.action).toBe('signin');
    expect(matchAudit('POST', '/auth/login', 429)).toBeNull();
    expect(matchAudit('PATCH', '/projects/p1/members/u2', 403)).toBeNull();
    expect(matchAudit('GET', '/projects/p1', 200)).toBeNull();
    expect(mayAudit('GET', '/projects')).toBe(false);
    expect(mayAudit('GET', '/projects/p1/segments')).toBe(true);
    // The web app reads segments as JSON to show them; only the CSV download is an export.
    expect(matchAudit('GET', '/projects/p1/segments', 200, 'json')).toBeNull();
    expect(matchAudit('GET', '/projects/p1/segments', 200, 'csv')?.action).toBe('segments.exported');
  });

  it('never keep an invitation link\'s secret', () => {
    expect(matchAudit('POST', '/invitations/secret123/accept', 200)).toEqual({ action: 'invitation.accepted', projectId: null, subject: null, erasesProject: false });
  });
});
