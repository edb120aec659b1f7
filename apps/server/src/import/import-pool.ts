import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { HttpError } from '../errors.ts';
import {
  buildRefiSource, prepareTranscript, readRefi,
  type ImportTask, type RefiReadResult, type RefiReadTask, type RefiSourceResult, type RefiSourceTask, type TranscriptTask, type TranscriptTaskResult,
} from './import-tasks.ts';

/**
 * The import worker threads (piscina): every import's parsing and document
 * building runs here, off the event loop. The worker module sits beside this
 * one, as `.ts` when running from sources (tsx, vitest) and as `.js` in the
 * build (`dist/`); from sources the worker loads tsx itself.
 */
export interface ImportPoolOptions {
  /** Most worker threads; 0 runs tasks on the calling thread (CLI one-offs, tests of the tasks). */
  threads: number;
  /** Tasks waiting for a thread before new ones are refused (503). */
  maxQueue?: number;
  /** Heap of one worker (MB): a file that needs more fails alone instead of taking the server down. */
  maxHeapMb?: number;
}

const here = import.meta.url;
const fromSources = here.endsWith('.ts');

function workerFile(): string {
  return fileURLToPath(new URL(fromSources ? './import-worker.ts' : './import-worker.js', here));
}

/**
 * Node flags for the workers: none of the process's own (its preloaded modules —
 * a benchmark's probe — have no business there, and many flags are refused in
 * workers), only tsx's loader when running from sources.
 */
function workerExecArgv(): string[] {
  return fromSources ? ['--import', pathToFileURL(createRequire(here).resolve('tsx')).href] : [];
}

export class ImportPool {
  private readonly pool: Piscina<ImportTask, unknown> | null;

  constructor(opts: ImportPoolOptions, private readonly log?: (level: 'error', msg: string, extra?: Record<string, unknown>) => void) {
    this.pool = opts.threads > 0
      ? new Piscina<ImportTask, unknown>({
        filename: workerFile(),
        minThreads: 0,
        maxThreads: opts.threads,
        idleTimeout: 30_000,
        maxQueue: opts.maxQueue ?? 64,
        resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 1024 },
        execArgv: workerExecArgv(),
      })
      : null;
    // A worker that cannot start fails its task (answered as an error); it must not take the server down.
    this.pool?.on('error', (err: unknown) => this.log?.('error', 'import worker failed', { err: String(err) }));
  }

  transcript(task: Omit<TranscriptTask, 'kind'>): Promise<TranscriptTaskResult> {
    const t: TranscriptTask = { kind: 'transcript', ...task };
    return this.run(t, () => prepareTranscript(t)) as Promise<TranscriptTaskResult>;
  }

  readRefi(task: Omit<RefiReadTask, 'kind'>): Promise<RefiReadResult> {
    const t: RefiReadTask = { kind: 'refi-read', ...task };
    return this.run(t, () => readRefi(t)) as Promise<RefiReadResult>;
  }

  refiSource(task: Omit<RefiSourceTask, 'kind'>): Promise<RefiSourceResult> {
    const t: RefiSourceTask = { kind: 'refi-source', ...task };
    return this.run(t, async () => buildRefiSource(t)) as Promise<RefiSourceResult>;
  }

  /** Threads currently running (for tests and metrics). */
  get threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }

  private async run(task: ImportTask, inline: () => Promise<unknown>): Promise<unknown> {
    if (!this.pool) return inline();
    try {
      return await this.pool.run(task);
    } catch (err) {
      throw poolError(err);
    }
  }
}

/** Piscina's failures in words for the uploader. */
function poolError(err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string } | null)?.code;
  if (/queue is at limit/i.test(msg)) {
    return new HttpError(503, 'busy', 'The server is busy importing other files. Try again in a minute.');
  }
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new HttpError(422, 'too_large', 'This file needs more memory to import than the server allows for one file. Split it into smaller transcripts.');
  }
  return err instanceof Error ? err : new Error(msg);
}
