import { LIMITS, TRANSCRIPT_FILE_EXTENSIONS } from '@concord/shared';
import { ApiError, type UploadResult } from './api.ts';

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Sends a body with XMLHttpRequest (fetch cannot report upload progress) and
 * resolves with the status and the parsed JSON answer (null when not JSON);
 * rejects with ApiError only when the request did not complete.
 */
export function xhrSend(
  method: string,
  url: string,
  body: XMLHttpRequestBodyInit,
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress({ loaded: e.loaded, total: e.total });
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload was interrupted. Check your connection and try again.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled'));
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      resolve({ status: xhr.status, body: parsed });
    };
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(body);
  });
}

/** The ApiError an error answer `{error: {code, message}}` stands for. */
export function answerError(status: number, body: unknown, what: string): ApiError {
  const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
  return new ApiError(status, err?.code ?? `http_${status}`, err?.message ?? `${what} failed (${status})`);
}

/**
 * Uploads files to `POST /api/projects/:pid/transcripts` as multipart field `file`,
 * with progress. Resolves with the answer for 201 and 207 (some files failed),
 * rejects with ApiError otherwise.
 */
export async function uploadTranscripts(
  pid: string,
  files: File[],
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<UploadResult> {
  const form = new FormData();
  for (const f of files) form.append('file', f, f.name);
  const { status, body } = await xhrSend('POST', `/api/projects/${encodeURIComponent(pid)}/transcripts`, form, onProgress, signal);
  const r = (body ?? {}) as Partial<UploadResult>;
  // 201 all imported, 207 some failed, 422 all failed: each answer lists errors per file
  if (status < 300 || Array.isArray(r.errors)) return { transcripts: r.transcripts ?? [], errors: r.errors ?? [] };
  throw answerError(status, body, 'Upload');
}

/** The file input's `accept`: every format the server reads. */
export const ACCEPT_TRANSCRIPTS = TRANSCRIPT_FILE_EXTENSIONS.join(',');

/** Refuses files the server would refuse anyway, with a message a researcher understands. */
export function precheckFile(f: File): string | null {
  const lower = f.name.toLowerCase();
  if (!TRANSCRIPT_FILE_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
    return `Only ${TRANSCRIPT_FILE_EXTENSIONS.join(', ')} files can be imported.`;
  }
  if (f.size === 0) return 'The file is empty.';
  if (f.size > LIMITS.maxTranscriptBytes) return `The file is larger than ${Math.round(LIMITS.maxTranscriptBytes / 1024 / 1024)} MB.`;
  return null;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
