import { type ExactDecimal, MAX_FIELD_SCALE } from './decimal-compare.ts';
import type { ComparisonOperator, FieldId, FixedPointFields } from './filter.ts';

/**
 * Builds the closures a validated filter leaf runs per message. Every decision that depends only
 * on the filter (operator, value kind, tick field, path) is taken here, once; the closures only
 * read the message and compare.
 *
 * Why the closures look the way they do: V8 keeps a double read from an object unboxed only while
 * it stays inside code the optimizer inlined. Handing it to a call that is not inlined (a
 * polymorphic closure, a Set lookup, a `cond ? field : undefined`) boxes it, one small heap
 * allocation per message. So each value kind has its own closure (its own call site, never
 * polymorphic), a number is compared in the closure that loaded it through monomorphic method
 * calls, the operator is a bit mask rather than a callback, and number lists are sorted
 * Float64Arrays searched in place rather than Sets.
 */

export type JsonPredicate = (payload: unknown) => boolean;
export type TickPredicate = (fields: FixedPointFields) => boolean;

export interface Predicates {
  readonly json: JsonPredicate;
  readonly tick: TickPredicate;
}

/** A filter value, classified at compile time: numbers and decimal strings compare numerically. */
export type FilterValue =
  | { readonly kind: 'number'; readonly decimal: ExactDecimal }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean };

/** Where a leaf reads its field: a JSON path, and the tick field of that name if ticks have one. */
export interface FieldRef {
  readonly segments: readonly string[];
  readonly tick: { readonly id: FieldId; readonly numeric: boolean } | undefined;
}

/** Bit (c + 1) is set when a comparison result c of -1 (less), 0 (equal) or 1 (greater) passes. */
const OUTCOME_MASKS: Readonly<Record<ComparisonOperator, number>> = {
  lt: 0b001,
  eq: 0b010,
  gt: 0b100,
  lte: 0b011,
  gte: 0b110,
  neq: 0b101,
};

/**
 * Whether comparison result `c` passes; NaN (nothing comparable) gives `whenMissing`, which is
 * true only for neq: neq is exactly "not eq" (the missing-field rule).
 */
function passes(c: number, mask: number, whenMissing: boolean): boolean {
  return Number.isNaN(c) ? whenMissing : ((mask >> (c + 1)) & 1) === 1;
}

/** UTF-16 code unit order, which is what JavaScript's < does on strings. */
function compareStrings(field: string, value: string): number {
  return field === value ? 0 : field < value ? -1 : 1;
}

export function comparisonPredicates(
  operator: ComparisonOperator,
  field: FieldRef,
  value: FilterValue,
): Predicates {
  const mask = OUTCOME_MASKS[operator];
  const whenMissing = operator === 'neq';
  return {
    json: jsonComparison(field.segments, value, mask, whenMissing),
    tick: tickComparison(field, value, mask, whenMissing),
  };
}

function jsonComparison(
  segments: readonly string[],
  value: FilterValue,
  mask: number,
  whenMissing: boolean,
): JsonPredicate {
  const parentOf = parentReader(segments);
  const key = segments[segments.length - 1]!;
  switch (value.kind) {
    case 'number': {
      const decimal = value.decimal;
      return (payload) => {
        const parent = parentOf(payload);
        if (parent === undefined || !Object.hasOwn(parent, key)) return whenMissing;
        const field = parent[key];
        if (typeof field === 'number') return passes(decimal.compareDouble(field), mask, whenMissing);
        if (typeof field === 'string') return passes(decimal.compareText(field), mask, whenMissing);
        return whenMissing;
      };
    }
    case 'text': {
      const text = value.text;
      return (payload) => {
        const parent = parentOf(payload);
        if (parent === undefined || !Object.hasOwn(parent, key)) return whenMissing;
        const field = parent[key];
        return typeof field === 'string'
          ? passes(compareStrings(field, text), mask, whenMissing)
          : whenMissing;
      };
    }
    case 'boolean': {
      const expected = value.value;
      return (payload) => {
        const parent = parentOf(payload);
        if (parent === undefined || !Object.hasOwn(parent, key)) return whenMissing;
        const field = parent[key];
        return typeof field === 'boolean'
          ? passes(field === expected ? 0 : 1, mask, whenMissing)
          : whenMissing;
      };
    }
  }
}

function tickComparison(
  field: FieldRef,
  value: FilterValue,
  mask: number,
  whenMissing: boolean,
): TickPredicate {
  const tick = field.tick;
  // No tick field of that name, a boolean (ticks have none), or text against a numeric field:
  // the field is missing for every tick.
  if (tick === undefined || value.kind === 'boolean' || (tick.numeric && value.kind === 'text')) {
    return () => whenMissing;
  }
  const id = tick.id;
  if (value.kind === 'text') {
    const expected = value.text;
    return (fields) => {
      const text = fields.text(id);
      return text === undefined ? whenMissing : passes(compareStrings(text, expected), mask, whenMissing);
    };
  }
  const decimal = value.decimal;
  if (tick.numeric) {
    return (fields) => {
      const mantissa = fields.mantissa(id);
      if (mantissa === undefined) return whenMissing;
      return passes(decimal.compareMantissa(mantissa, fields.scale(id)), mask, whenMissing);
    };
  }
  return (fields) => {
    const text = fields.text(id);
    return text === undefined ? whenMissing : passes(decimal.compareText(text), mask, whenMissing);
  };
}

/** `in` (or `nin` when `negate`): the field equals one of `values`, under the same rules as `eq`. */
export function membershipPredicates(
  negate: boolean,
  field: FieldRef,
  values: readonly FilterValue[],
): Predicates {
  const set = new ValueSet(values);
  const parentOf = parentReader(field.segments);
  const key = field.segments[field.segments.length - 1]!;
  const json: JsonPredicate = (payload) => {
    const parent = parentOf(payload);
    if (parent === undefined || !Object.hasOwn(parent, key)) return negate;
    const value = parent[key];
    if (typeof value === 'number') return set.hasDouble(value) !== negate;
    if (typeof value === 'string') return set.hasText(value) !== negate;
    if (typeof value === 'boolean') return set.hasBoolean(value) !== negate;
    return negate;
  };

  const tick = field.tick;
  let tickMember: TickPredicate;
  if (tick === undefined) {
    tickMember = () => negate;
  } else if (tick.numeric) {
    const id = tick.id;
    tickMember = (fields) => {
      const mantissa = fields.mantissa(id);
      if (mantissa === undefined) return negate;
      return set.hasMantissa(mantissa, fields.scale(id)) !== negate;
    };
  } else {
    const id = tick.id;
    tickMember = (fields) => {
      const text = fields.text(id);
      return text === undefined ? negate : set.hasText(text) !== negate;
    };
  }
  return { json, tick: tickMember };
}

/**
 * The values of an `in` list, indexed per kind of field: strings in a Set, numbers as sorted
 * Float64Arrays (one of doubles, one of mantissas per scale). Only a decimal string field against
 * numeric values falls back to a scan, since it may be written '1.50' for '1.5'.
 */
class ValueSet {
  /** Plain strings, plus the canonical text of every numeric value ('1.5' hits without a scan). */
  readonly #texts = new Set<string>();
  readonly #numbers: ExactDecimal[] = [];
  /** The doubles equal to a numeric value under compareDouble, sorted. */
  readonly #doubles: Float64Array;
  /** Per scale, the mantissas equal to a numeric value, sorted. */
  readonly #mantissas: Float64Array[] = [];
  #hasTrue = false;
  #hasFalse = false;

  constructor(values: readonly FilterValue[]) {
    const doubles: number[] = [];
    const mantissas: number[][] = Array.from({ length: MAX_FIELD_SCALE + 1 }, () => []);
    for (const value of values) {
      if (value.kind === 'text') {
        this.#texts.add(value.text);
      } else if (value.kind === 'boolean') {
        if (value.value) this.#hasTrue = true;
        else this.#hasFalse = true;
      } else {
        const decimal = value.decimal;
        this.#numbers.push(decimal);
        this.#texts.add(decimal.text);
        const nearest = Number(decimal.text);
        if (decimal.compareDouble(nearest) === 0) doubles.push(nearest);
        for (let scale = 0; scale <= MAX_FIELD_SCALE; scale++) {
          const mantissa = decimal.mantissaAt(scale);
          if (mantissa !== undefined) mantissas[scale]!.push(mantissa);
        }
      }
    }
    this.#doubles = Float64Array.from(doubles).sort();
    for (const list of mantissas) this.#mantissas.push(Float64Array.from(list).sort());
  }

  hasDouble(value: number): boolean {
    return sortedIncludes(this.#doubles, value);
  }

  hasMantissa(mantissa: number, scale: number): boolean {
    const list = this.#mantissas[scale];
    return list !== undefined && sortedIncludes(list, mantissa);
  }

  hasText(value: string): boolean {
    if (this.#texts.has(value)) return true;
    const numbers = this.#numbers;
    for (let i = 0; i < numbers.length; i++) {
      const comparison = numbers[i]!.compareText(value);
      if (comparison === 0) return true;
      // Not a decimal string: no other numeric value can match it either.
      if (Number.isNaN(comparison)) return false;
    }
    return false;
  }

  hasBoolean(value: boolean): boolean {
    return value ? this.#hasTrue : this.#hasFalse;
  }
}

/** Binary search; NaN is never found, and -0 finds 0. */
function sortedIncludes(sorted: Float64Array, value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const candidate = sorted[middle]!;
    if (candidate < value) low = middle + 1;
    else if (candidate > value) high = middle - 1;
    else return candidate === value;
  }
  return false;
}

/**
 * The object holding the last segment of a dotted path, walking own properties of plain objects
 * only (arrays, inherited properties and anything else along the way make the field missing).
 */
function parentReader(
  segments: readonly string[],
): (payload: unknown) => Record<string, unknown> | undefined {
  const depth = segments.length - 1;
  if (depth === 0) return (payload) => (isRecord(payload) ? payload : undefined);
  return (payload) => {
    let current = payload;
    for (let i = 0; i < depth; i++) {
      const key = segments[i]!;
      if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
      current = current[key];
    }
    return isRecord(current) ? current : undefined;
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
