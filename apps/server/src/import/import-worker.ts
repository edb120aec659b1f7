import { buildRefiSource, prepareTranscript, readRefi, type ImportTask } from './import-tasks.ts';

/** Entry point of the import worker threads (`import-pool.ts`): runs one task. */
export default async function runImportTask(task: ImportTask): Promise<unknown> {
  switch (task.kind) {
    case 'transcript':
      return prepareTranscript(task);
    case 'refi-read':
      return readRefi(task);
    case 'refi-source':
      return buildRefiSource(task);
  }
}
