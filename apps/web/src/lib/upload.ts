import { LIMITS } from '@concord/shared';
import { ApiError, type UploadResult } from './api.ts';

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Uploads files to `POST /api/projects/:pid/transcripts` as multipart field `file`
 * with XMLHttpRequest, so upload progress can be shown. Resolves with the answer
 * for 201 and 207 (some files failed), rejects with ApiError otherwise.
 */
export function uploadTranscripts(
  pid: string,
  files: File[],
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const f of files) form.append('file', f, f.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/projects/${encodeURIComponent(pid)}/transcripts`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress({ loaded: e.loaded, total: e.total });
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload was interrupted. Check your connection and try again.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled'));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      const r = (body ?? {}) as Partial<UploadResult>;
      // 201 all imported, 207 some failed, 422 all failed: each answer lists errors per file
      if (xhr.status < 300 || Array.isArray(r.errors)) {
        resolve({ transcripts: r.transcripts ?? [], errors: r.errors ?? [] });
        return;
      }
      const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
      reject(new ApiError(xhr.status, err?.code ?? `http_${xhr.status}`, err?.message ?? `Upload failed (${xhr.status})`));
    };
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}

const ACCEPTED = ['.txt', '.md', '.markdown', '.docx', '.text'];

/** Refuses files the server would refuse anyway, with a message a researcher understands. */
export function precheckFile(f: File): string | null {
  const lower = f.name.toLowerCase();
  if (!ACCEPTED.some((ext) => lower.endsWith(ext))) return `Only ${ACCEPTED.join(', ')} files can be imported.`;
  if (f.size === 0) return 'The file is empty.';
  if (f.size > LIMITS.maxTranscriptBytes) return `The file is larger than ${Math.round(LIMITS.maxTranscriptBytes / 1024 / 1024)} MB.`;
  return null;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
