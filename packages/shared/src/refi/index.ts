/** REFI-QDA 1.5 interchange (.qdpx projects, .qdc codebooks) as pure TypeScript. */
export type {
  QdaUser,
  QdaCode,
  QdaCoding,
  QdaSelection,
  QdaNote,
  QdaSource,
  QdaSyncPoint,
  QdaMedia,
  QdaProject,
  QdaImportReport,
  QdaCodebookReport,
  RefiLimits,
  ReadQdpxOptions,
  QdaWriteOptions,
  WriteQdcOptions,
} from './model.ts';
export { DEFAULT_LIMITS as REFI_DEFAULT_LIMITS } from './model.ts';
export { RefiError, isRefiError, type RefiErrorCode } from './errors.ts';
export { readQdpx, readQdc } from './read.ts';
export { writeQdpx, writeQdc, projectXml, codebookXml, PROJECT_NS as REFI_PROJECT_NS, CODEBOOK_NS as REFI_CODEBOOK_NS } from './write.ts';
export {
  codePointLength,
  codePointToUtf16,
  utf16ToCodePoint,
  sliceCodePoints,
  type PositionConvention,
} from './unicode.ts';
export { normalizeGuid as normalizeRefiGuid, isGuid as isRefiGuid, toRefiGuid } from './guid.ts';
