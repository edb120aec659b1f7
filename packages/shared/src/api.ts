import { z } from 'zod';
import { ROLES } from './rooms.ts';
import { LIMITS, MAX_NAME_LENGTH } from './limits.ts';

/** Payloads of the HTTP API (docs/architecture.md, docs/api.md), validated on the server and typed for clients. */
export const email = z.string().trim().toLowerCase().email('a valid email address is required').max(254);
export const password = z.string().min(8, 'passwords need at least 8 characters').max(256);
const name = z.string().trim().min(1, 'a name is required').max(MAX_NAME_LENGTH);

export const SignupBody = z.object({ email, password, name });
export const LoginBody = z.object({ email, password: z.string().min(1).max(256) });
export const PasswordChangeBody = z.object({ currentPassword: z.string().min(1).max(256), password });
/** A personal access token: optionally expiring after some days, reading only, reaching one project. */
export const TokenBody = z.object({
  name,
  expiresInDays: z.number().int().min(1).max(3650).optional(),
  readOnly: z.boolean().optional(),
  projectId: z.string().min(1).max(100).optional(),
});
export const ProjectBody = z.object({ name });
export const MemberBody = z.object({ email, role: z.enum(ROLES as [string, ...string[]]) });
/** Following an invitation link: nothing when signed in as the invited address, the password of its account, or a name and password for a new one. */
export const AcceptInvitationBody = z.object({ password: z.string().min(1).max(256).optional(), name: name.optional() });
export const MemberRoleBody = z.object({ role: z.enum(ROLES as [string, ...string[]]) });
export const TranscriptTextBody = z.object({
  name,
  text: z.string().min(1, 'the transcript is empty')
    .max(LIMITS.maxTranscriptBytes, `transcripts can be at most ${LIMITS.maxTranscriptBytes / 1024 / 1024} MB`),
});
export const CodingModeBody = z.object({ mode: z.enum(['open', 'independent']) });

export interface User { id: string; email: string; name: string }
export interface ProjectSummary { id: string; name: string; role: string }
export interface Member { userId: string; email: string; name: string; role: string }
export interface TranscriptSummary {
  id: string; name: string; turns: number; codings: number; mode?: 'open' | 'independent'; revealed?: boolean;
  /** In an import's answer: the file it came from, and how many turns have a recording time. */
  sourceFile?: string | null; timedTurns?: number;
}
export interface Invitation { id: string; email: string; role: string; invitedBy: string; createdAt: number; expiresAt: number; expired: boolean }
/** What an invitation link shows before it is accepted (`GET /api/invitations/:token`). */
export interface InvitationPreview { projectName: string; email: string; role: string; invitedBy: string; expiresAt: number; accountExists: boolean }
export interface ApiErrorBody { error: { code: string; message: string } }

export interface Segment {
  transcriptId: string;
  transcriptName: string;
  codeId: string;
  codeName: string;
  coderId: string;
  speaker: string | null;
  /** Unicode code point offsets into the transcript text. */
  start: number;
  end: number;
  text: string;
  memo?: string;
  /** Seconds into the recording where the coded turn starts, when the transcript has times. */
  startTime?: number;
  /** The file the transcript was imported from. */
  sourceFile?: string;
  /** Where the row comes from: the record (`open`, `consensus`) or a coder's own layer (`layer`). */
  source?: 'open' | 'consensus' | 'layer';
  /** Consensus rows: `agreed` (both coders) or the reconciliation decision (`accept-a`, `merge`, …). */
  basis?: 'agreed' | 'accept-a' | 'accept-b' | 'keep-both' | 'merge' | 'reject' | 'defer' | null;
  /** Who coded it: both coders of an agreed coding, else the one coder. */
  coders?: string[];
  /** Name of a coder who is not a member (imported from another tool's .qdpx), by coder id. */
  coderNames?: Record<string, string>;
}

/** Answer of `POST /api/projects/:pid/import` (a REFI-QDA project or codebook). */
export interface RefiImportSummary {
  kind: 'qdpx' | 'qdc';
  codesCreated: number;
  codes: number;
  transcripts: { id: string; name: string; codings: number }[];
  notes: number;
  warnings: string[];
}
