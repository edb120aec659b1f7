export type RefiErrorCode =
  /** The input is not a zip archive at all. */
  | 'not-zip'
  /** A zip archive, but damaged (truncated, bad headers, bad compressed data). */
  | 'corrupt-zip'
  /** Encrypted entries, multi-volume archives, unknown compression methods. */
  | 'unsupported-zip'
  /** Archive, entry count or uncompressed size over the limits (zip bombs). */
  | 'too-large'
  /** An entry name escapes the archive (`../`, absolute path, drive letter). */
  | 'path-traversal'
  /** The XML declares a DOCTYPE or entities (billion laughs, external entities). */
  | 'xml-entities'
  /** The XML is not well-formed. */
  | 'invalid-xml'
  /** The archive has no project.qde. */
  | 'missing-project'
  /** Well-formed XML, but not a REFI-QDA project / codebook. */
  | 'not-refi'
  /** A codebook export was asked for with no codes (the schema needs at least one). */
  | 'empty-codebook';

/** Thrown for input that cannot be imported at all, with a message a researcher understands. */
export class RefiError extends Error {
  readonly code: RefiErrorCode;

  constructor(code: RefiErrorCode, message: string) {
    super(message);
    this.name = 'RefiError';
    this.code = code;
  }
}

export function isRefiError(e: unknown): e is RefiError {
  return e instanceof RefiError;
}
