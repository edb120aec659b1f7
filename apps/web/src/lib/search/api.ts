import type { CodeHitsResponse, CodingUnit, SearchResponse } from '@concord/shared';
import { request } from '../api.ts';

const e = encodeURIComponent;

/** What the search page asks for (empty fields are left out). */
export interface SearchForm {
  q: string;
  regex: string;
  speaker: string;
  code: string;
  coder: string;
}

/** The query string of `GET /search` for a form. */
export function searchQuery(f: SearchForm): string {
  const p = new URLSearchParams();
  for (const k of ['q', 'regex', 'speaker', 'code', 'coder'] as const) if (f[k].trim() !== '') p.set(k, k === 'regex' ? f[k] : f[k].trim());
  return p.toString();
}

export const searchApi = {
  search: (pid: string, f: SearchForm) => request<SearchResponse>('GET', `/api/projects/${e(pid)}/search?${searchQuery(f)}`),
  codeAll: (pid: string, f: SearchForm, codeId: string, unit: CodingUnit) =>
    request<CodeHitsResponse>('POST', `/api/projects/${e(pid)}/search/code`, {
      q: f.q || null, regex: f.regex || null, speaker: f.speaker || null, code: f.code || null, coder: f.coder || null, codeId, unit,
    }),
  undo: (pid: string, done: CodeHitsResponse) =>
    request<{ removed: number }>('POST', `/api/projects/${e(pid)}/search/code/undo`, { batch: done.batch, transcripts: done.transcripts }),
};
