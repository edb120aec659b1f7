/**
 * Plain REFI-QDA interchange model (no Yjs). Positions are Unicode code points,
 * 0-based, end exclusive, counted in `QdaSource.text` (which uses LF line ends
 * after import).
 */

export interface QdaUser {
  guid: string;
  name: string;
  /** Not part of REFI-QDA: exported in the `<User id>` attribute and read back from it when it looks like an e-mail address. */
  email?: string;
}

export interface QdaCode {
  guid: string;
  name: string;
  /** `#rrggbb`, lower-case, or null. */
  color: string | null;
  description: string;
  parentGuid: string | null;
  isCodable: boolean;
  /** Not part of REFI-QDA 1.0: never exported and never set on import. */
  abbreviation?: string;
}

export interface QdaCoding {
  guid: string;
  codeGuid: string;
  creatorGuid: string | null;
}

export interface QdaSelection {
  guid: string;
  /** Unicode code points, 0-based. */
  start: number;
  /** Unicode code points, exclusive. */
  end: number;
  creatorGuid: string | null;
  createdAt: string | null;
  codes: QdaCoding[];
  /** Exported as the selection's `<Description>`. */
  memo?: string;
}

export interface QdaNote {
  guid: string;
  name: string;
  text: string;
  creatorGuid: string | null;
  createdAt: string | null;
  /** Selection or source the note annotates (exported as a `<NoteRef>` on it). */
  targetGuid: string | null;
  /** Exported as the note's `<Description>`. */
  quote?: string;
}

export interface QdaSource {
  guid: string;
  name: string;
  text: string;
  selections: QdaSelection[];
  /** The source's `<Description>` (Concord declares its speaker labels there). */
  description?: string;
}

export interface QdaProject {
  name: string;
  origin: string;
  users: QdaUser[];
  codes: QdaCode[];
  sources: QdaSource[];
  notes: QdaNote[];
}

export interface QdaImportReport {
  project: QdaProject;
  /** Everything that could not be imported (or was imported with a caveat), in words a researcher understands. */
  warnings: string[];
}

export interface QdaCodebookReport {
  origin: string;
  codes: QdaCode[];
  warnings: string[];
}

/** Limits applied when reading an archive (hostile input). */
export interface RefiLimits {
  /** Size of the .qdpx file itself. Default 200 MB. */
  maxArchiveBytes: number;
  /** Sum of the uncompressed sizes of all entries. Default 200 MB. */
  maxTotalUncompressedBytes: number;
  /** Number of entries in the archive. Default 10 000. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: Readonly<RefiLimits> = Object.freeze({
  maxArchiveBytes: 200 * 1024 * 1024,
  maxTotalUncompressedBytes: 200 * 1024 * 1024,
  maxEntries: 10_000,
});

export interface ReadQdpxOptions {
  /**
   * Extracts plain text from a .docx file. Used for sources whose .txt is empty
   * but which have a Word file beside it (NVivo). Without it such sources are
   * imported without text and a warning names them.
   */
  extractDocx?: (bytes: Uint8Array) => string | Promise<string>;
  limits?: Partial<RefiLimits>;
}

export interface QdaWriteOptions {
  /** Timestamp for `creationDateTime` and zip entry dates. Default: now. */
  now?: Date;
}

export interface WriteQdcOptions extends QdaWriteOptions {
  /** `origin` attribute of the `<CodeBook>`. Default "Concord". */
  origin?: string;
}

/** First line of the source description in which Concord declares the speaker labels of an exported text. */
export const SPEAKER_LABELS_NOTE = "Concord transcript: each speaker turn starts with the speaker's name and a colon.";
