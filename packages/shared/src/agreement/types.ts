/**
 * Shared types of the agreement statistics.
 *
 * Conventions used throughout `agreement/`:
 * - A label is a `string | number`; `null` means "missing" (the coder gave no value).
 *   Labels are compared by `labelKey`: `1`, `'1'` and `' 1 '` are the same value.
 * - Proportions (`percent`, `observed`, `expected`) are in [0, 1], not 0–100.
 * - A coefficient that is mathematically undefined (0/0: no data, or no variation at all)
 *   is returned as `NaN`; callers should show "n/a". Functions throw (`RangeError` /
 *   `TypeError`) only for malformed input (unequal lengths, negative counts, …).
 */
export type Label = string | number;

/** A label, or `null` for a missing value. */
export type MaybeLabel = Label | null;

/** Levels of measurement supported by Krippendorff's alpha. */
export type AlphaLevel = 'nominal' | 'ordinal' | 'interval' | 'ratio';

/** A half-open `[start, end)` range of offsets. */
export type Span = readonly [start: number, end: number];
