/**
 * Inter-coder agreement statistics (pure: no I/O, no Node or DOM APIs).
 * See `types.ts` for the conventions (missing values, NaN for undefined coefficients).
 */
export type { AlphaLevel, Label, MaybeLabel, Span } from './types.ts';
export { labelKey, percentAgreement, sameLabel } from './percent.ts';
export { cohenKappa, fleissKappa, type CohenKappaResult, type FleissKappaResult } from './kappa.ts';
export { krippendorffAlpha, type AlphaOptions, type AlphaResult } from './alpha.ts';
export {
  unitizedAlpha,
  unitizingDistance,
  type UnitSegment,
  type UnitizedAlphaResult,
  type UnitizedValueAlpha,
} from './unitized.ts';
export {
  bootstrapAlpha,
  bootstrapCI,
  bootstrapIntervals,
  bootstrapKappa,
  createRng,
  type BootstrapOptions,
  type BootstrapResult,
} from './bootstrap.ts';
export { textAgreement, wordSpans, type TextAgreementResult, type TextCoding } from './text.ts';
export { coderPairs, pairCodes, type ComparedTranscript } from './pooled.ts';
export {
  agreementWeights, contingencyTable, multiRaterCoefficients, pairCoefficients, ratingDistribution, weightedKappa,
  type MultiRaterCoefficients, type PairCoefficients, type Weighting,
} from './coefficients.ts';
export {
  unitizingAlphaFamily, type ContinuumSection, type UnitizingFamily, type UnitizingValue,
} from './unitizing.ts';
export {
  COEFFICIENT_LABELS, CONVENTIONS, coefficientsOf, conventionAgreement,
  type Coefficient, type Convention, type ConventionFigures, type ConventionOptions, type ConventionResult, type Figure,
} from './conventions.ts';
export { agreementCsv, agreementMarkdown, formatCoefficient, methodsParagraph, type ReportContext } from './report-file.ts';
