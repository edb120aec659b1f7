import type { RefiImportSummary, Segment, TranscriptSummary } from '@concord/shared';
import { errorFrom, request, ApiError } from '../api.ts';
import type { AgreementReport } from './agreement.ts';

/** API calls of the agreement, reconciliation, analysis and exchange views. */
const e = encodeURIComponent;

export interface DisagreementRow {
  key: string;
  kind: 'only-a' | 'only-b' | 'different-codes' | 'boundary';
  a: { id: string; codeId: string; coderId: string; start: number; end: number } | null;
  b: { id: string; codeId: string; coderId: string; start: number; end: number } | null;
  start: number;
  end: number;
  quote: string;
}

export interface DecisionRow {
  when: string;
  who: string;
  decision: string;
  why: string;
  what: string;
  disagreement: string;
}

export type { RefiImportSummary } from '@concord/shared';

export const analysisApi = {
  agreement: (pid: string, opts: { transcript?: string; coders?: [string, string] } = {}) => {
    const p = new URLSearchParams();
    if (opts.transcript) p.set('transcript', opts.transcript);
    if (opts.coders) p.set('coders', opts.coders.join(','));
    const q = p.toString();
    return request<AgreementReport>('GET', `/api/projects/${e(pid)}/agreement${q ? `?${q}` : ''}`);
  },
  disagreements: (pid: string, tid: string, a: string, b: string) =>
    request<DisagreementRow[]>('GET', `/api/projects/${e(pid)}/transcripts/${e(tid)}/disagreements?coders=${e(a)},${e(b)}`),
  decisions: (pid: string, tid: string) => request<DecisionRow[]>('GET', `/api/projects/${e(pid)}/transcripts/${e(tid)}/decisions`),
  segments: (pid: string, query: string) => request<Segment[]>('GET', `/api/projects/${e(pid)}/segments?${query}`),
  setMode: (pid: string, tid: string, mode: 'open' | 'independent') =>
    request<TranscriptSummary>('PUT', `/api/projects/${e(pid)}/transcripts/${e(tid)}/mode`, { mode }),
  reveal: (pid: string, tid: string) => request<TranscriptSummary>('POST', `/api/projects/${e(pid)}/transcripts/${e(tid)}/reveal`, {}),

  async importRefi(pid: string, file: File): Promise<RefiImportSummary> {
    const form = new FormData();
    form.append('file', file, file.name);
    let res: Response;
    try {
      res = await fetch(`/api/projects/${e(pid)}/import`, { method: 'POST', body: form, credentials: 'same-origin', headers: { accept: 'application/json' } });
    } catch {
      throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
    }
    if (!res.ok) throw await errorFrom(res);
    return (await res.json()) as RefiImportSummary;
  },
};

export const decisionsCsvHref = (pid: string, tid: string): string => `/api/projects/${e(pid)}/transcripts/${e(tid)}/decisions?format=csv`;

export type ExportKind = { format: 'qdpx' | 'qdc' | 'csv' | 'md'; what?: 'codebook' };

/** `record`: the project's coding record (default); `coders`: every coder's own codings, each marked with its coder. */
export type ExportScope = 'record' | 'coders';

export const exportHref = (pid: string, k: ExportKind, scope: ExportScope = 'record'): string =>
  `/api/projects/${e(pid)}/export?format=${k.format}${k.what ? `&what=${k.what}` : ''}${scope === 'coders' && !k.what && k.format !== 'qdc' ? '&scope=coders' : ''}`;
