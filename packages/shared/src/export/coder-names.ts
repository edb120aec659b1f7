import type * as Y from 'yjs';

/**
 * Names of coders who are not members of the project (a REFI-QDA import's users),
 * kept in the transcript document they coded: coder id (`refi:<guid>`) → name.
 * Written by the server on import, read by exports.
 */
export function coderNames(transcriptDoc: Y.Doc): Y.Map<string> {
  return transcriptDoc.getMap('coderNames');
}

/** The name of a coder id in this transcript, if it was imported with one. */
export function importedCoderName(transcriptDoc: Y.Doc, coderId: string): string | null {
  const v = coderNames(transcriptDoc).get(coderId);
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}
