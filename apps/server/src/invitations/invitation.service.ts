import { newId, type Role } from '@concord/shared';
import { generateSecret, hashSecret } from '../auth/tokens.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { ProjectInvitationRecord, Storage } from '../storage/types.ts';

const DAY = 24 * 60 * 60 * 1000;

/** What an owner sees of a pending invitation (never its token). */
export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
  expired: boolean;
}

export interface CreatedInvitation {
  invitation: InvitationView;
  /** The single-use link, shown to the inviting owner once (to pass on when no e-mail is sent). */
  link: string;
  /** Whether the e-mail was handed to the SMTP server; null when none is configured. */
  emailed: boolean | null;
}

/** The web page a link opens; `/invite/<token>`. */
export const invitationPath = (token: string): string => `/invite/${token}`;

/**
 * Invitations into a project by e-mail: a random token (only its SHA-256 stored)
 * in a link that expires and is used once.
 */
export class InvitationService {
  constructor(
    private readonly storage: Storage,
    private readonly mailer: Mailer | null,
    private readonly days: number,
    private readonly log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async create(args: { projectId: string; projectName: string; email: string; role: Role; inviter: { id: string; name: string }; baseUrl: string }): Promise<CreatedInvitation> {
    const token = generateSecret();
    const createdAt = this.now();
    const record: ProjectInvitationRecord = {
      id: newId(12), tokenHash: hashSecret(token), projectId: args.projectId, email: args.email, role: args.role,
      invitedBy: args.inviter.id, createdAt, expiresAt: createdAt + this.days * DAY,
    };
    await this.storage.createProjectInvitation(record);
    const link = args.baseUrl + invitationPath(token);
    let emailed: boolean | null = null;
    if (this.mailer) {
      try {
        await this.mailer.send({
          to: args.email,
          subject: `${args.inviter.name} invites you to "${args.projectName}" on Concord`,
          text: [
            `${args.inviter.name} invites you to join the project "${args.projectName}" on Concord as ${article(args.role)} ${args.role}.`,
            '',
            'Open this link to accept (it works once and expires in ' + `${this.days} day${this.days === 1 ? '' : 's'}):`,
            link,
            '',
            'If you did not expect this, you can ignore this e-mail.',
          ].join('\n'),
        });
        emailed = true;
      } catch (err) {
        // The invitation stays: the owner can pass the link on another way.
        this.log('warn', 'invitation e-mail failed', { err: err instanceof Error ? err.message : String(err) });
        emailed = false;
      }
    }
    return { invitation: this.view(record), link, emailed };
  }

  async list(projectId: string): Promise<InvitationView[]> {
    return (await this.storage.listProjectInvitations(projectId)).map((r) => this.view(r));
  }

  /** The pending, unexpired invitation of a link's token; null when unknown, used, revoked or expired. */
  async find(token: string): Promise<ProjectInvitationRecord | null> {
    const r = await this.storage.getProjectInvitation(hashSecret(token));
    return r && r.expiresAt > this.now() ? r : null;
  }

  /** Uses up the invitation of a token: exactly one caller gets it; null when it is gone or expired. */
  async take(token: string): Promise<ProjectInvitationRecord | null> {
    const r = await this.storage.takeProjectInvitation(hashSecret(token));
    return r && r.expiresAt > this.now() ? r : null;
  }

  private view(r: ProjectInvitationRecord): InvitationView {
    return { id: r.id, email: r.email, role: r.role, invitedBy: r.invitedBy, createdAt: r.createdAt, expiresAt: r.expiresAt, expired: r.expiresAt <= this.now() };
  }
}

function article(role: Role): string {
  return role === 'owner' ? 'an' : 'a';
}
