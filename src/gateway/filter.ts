import { TickwireError } from '../errors.ts';
import { ExactDecimal, isDecimalText } from './decimal-compare.ts';
import {
  comparisonPredicates,
  type FieldRef,
  type FilterValue,
  type JsonPredicate,
  membershipPredicates,
  type Predicates,
  type TickPredicate,
} from './filter-compile.ts';

/**
 * Subscription filters: a small JSON predicate language (Centrifugo's tag filters, extended to
 * exact numeric comparisons), validated and compiled once per subscription into closures that
 * run per message without allocating. docs/PROTOCOL-filters-and-recovery.md is the user-facing
 * description; the rules it states are implemented here and in filter-compile.ts.
 */

export const COMPARISON_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
export const MEMBERSHIP_OPERATORS = ['in', 'nin'] as const;
export const LOGICAL_OPERATORS = ['and', 'or', 'not'] as const;
export const FILTER_OPERATORS = [
  ...COMPARISON_OPERATORS,
  ...MEMBERSHIP_OPERATORS,
  ...LOGICAL_OPERATORS,
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];
export type MembershipOperator = (typeof MEMBERSHIP_OPERATORS)[number];
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type { JsonPredicate, TickPredicate } from './filter-compile.ts';

export type FilterScalar = number | string | boolean;

/** The filter grammar as a type, for clients that build filters in TypeScript. */
export type Filter =
  | {
      [K in ComparisonOperator]: { [P in K]: readonly [field: string, value: FilterScalar] };
    }[ComparisonOperator]
  | {
      [K in MembershipOperator]: { [P in K]: readonly [field: string, values: readonly FilterScalar[]] };
    }[MembershipOperator]
  | { and: readonly Filter[] }
  | { or: readonly Filter[] }
  | { not: Filter };

export const FILTER_LIMITS = {
  /** Levels of nesting; a single comparison is depth 1. */
  maxDepth: 8,
  /** Filter objects in the whole tree, leaves and combinators alike. */
  maxNodes: 64,
  /** Values in one `in`/`nin` list. */
  maxListValues: 256,
  /**
   * Values in all `in`/`nin` lists of one filter together. Compiling a numeric value costs a few
   * microseconds (exact thresholds at 16 scales); this caps a subscribe at a few milliseconds.
   */
  maxTotalValues: 1024,
  /** Children of one `and`/`or` (at least 1). */
  maxChildren: 32,
  maxFieldSegments: 4,
  maxSegmentLength: 64,
  /** Characters in one string value; bounds the compile-time cost of a decimal. */
  maxStringLength: 256,
} as const;

/** Numeric tick fields: mantissas at a scale. */
export const TICK_NUMERIC_FIELDS = [
  'price',
  'size',
  'bidPrice',
  'bidSize',
  'askPrice',
  'askSize',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'seq',
  'tradeId',
] as const;
/** Text tick fields: side is 'buy' | 'sell' | 'none'. */
export const TICK_TEXT_FIELDS = ['side', 'symbol', 'venue', 'type'] as const;
export const TICK_FIELDS = [...TICK_NUMERIC_FIELDS, ...TICK_TEXT_FIELDS] as const;
export type TickField = (typeof TICK_FIELDS)[number];

/**
 * A tick field's index in TICK_FIELDS: the numeric fields are 0..12 in their listed order, the
 * text fields 13..16. Filters resolve names to ids once, at compile time.
 */
export type FieldId = number;

/**
 * What a binary tick exposes to filters (the tick side implements it). A field the tick's type
 * does not carry (bidPrice on a trade) returns undefined and is treated as missing.
 */
export interface FixedPointFields {
  /** The mantissa of a numeric field (a safe integer), or undefined when this tick has no such field. */
  mantissa(field: FieldId): number | undefined;
  /** The decimal scale (0..15) of a numeric field; asked only after mantissa() gave a number. */
  scale(field: FieldId): number;
  /** The value of a text field, or undefined when this tick has no such field. */
  text(field: FieldId): string | undefined;
}

export interface CompiledFilter {
  /** Filter objects in the tree. */
  readonly nodes: number;
  /** The predicate on JSON payloads; prefer matchesJson(filter, payload). */
  readonly json: JsonPredicate;
  /** The predicate on ticks; prefer matchesTick(filter, fields). */
  readonly tick: TickPredicate;
}

const TICK_FIELD_IDS: ReadonlyMap<string, FieldId> = new Map(TICK_FIELDS.map((name, id) => [name, id]));
const OPERATORS: ReadonlySet<string> = new Set(FILTER_OPERATORS);
const FIELD_SEGMENT = /^[A-Za-z0-9_]+$/;

/** The id of a tick field name, or undefined for a name ticks do not have. */
export function tickFieldId(name: string): FieldId | undefined {
  return TICK_FIELD_IDS.get(name);
}

/** Whether a tick field id names a numeric field (read with mantissa/scale) rather than a text one. */
export function isNumericTickField(id: FieldId): boolean {
  return id >= 0 && id < TICK_NUMERIC_FIELDS.length;
}

/** Validates a filter (throws BAD_FILTER naming the offending place) and compiles it. */
export function compileFilter(json: unknown): CompiledFilter {
  const compiler = new FilterCompiler();
  const { json: matchJson, tick: matchTick } = compiler.node(json, 'filter', 1);
  return { nodes: compiler.nodes, json: matchJson, tick: matchTick };
}

/**
 * Whether a JSON payload passes. Missing fields, fields of a type the value cannot compare with,
 * and paths through non-objects make eq/gt/gte/lt/lte/in false and neq/nin true.
 */
export function matchesJson(filter: CompiledFilter, payload: unknown): boolean {
  return filter.json(payload);
}

/** Whether a tick passes. A field ticks do not have (or this tick's type lacks) is missing. */
export function matchesTick(filter: CompiledFilter, fields: FixedPointFields): boolean {
  return filter.tick(fields);
}

class FilterCompiler {
  nodes = 0;
  listValues = 0;

  node(json: unknown, path: string, depth: number): Predicates {
    if (depth > FILTER_LIMITS.maxDepth) {
      throw bad(path, `filters nest at most ${FILTER_LIMITS.maxDepth} levels deep`);
    }
    this.nodes++;
    if (this.nodes > FILTER_LIMITS.maxNodes) {
      throw bad(path, `a filter has at most ${FILTER_LIMITS.maxNodes} nodes`);
    }
    if (!isRecord(json)) {
      throw bad(path, `expected a filter object such as {"eq": [field, value]}, got ${describe(json)}`);
    }
    const keys = Object.keys(json);
    const operator = keys[0];
    if (keys.length !== 1 || operator === undefined) {
      const got =
        keys.length === 0
          ? 'none'
          : keys.length > 4
            ? `${keys.length} keys`
            : keys.map((key) => quote(key)).join(', ');
      throw bad(path, `expected exactly one operator key, got ${got}`);
    }
    if (!OPERATORS.has(operator)) {
      throw bad(path, `unknown operator ${quote(operator)} (expected one of ${FILTER_OPERATORS.join(', ')})`);
    }
    const operand = json[operator];
    const at = `${path}.${operator}`;
    switch (operator as FilterOperator) {
      case 'and':
        return this.#all(this.#children(operand, at, depth));
      case 'or':
        return this.#any(this.#children(operand, at, depth));
      case 'not': {
        const child = this.node(operand, at, depth + 1);
        return { json: (payload) => !child.json(payload), tick: (fields) => !child.tick(fields) };
      }
      case 'in':
      case 'nin':
        return this.#membership(operator === 'nin', operand, at);
      default:
        return this.#comparison(operator as ComparisonOperator, operand, at);
    }
  }

  #children(operand: unknown, at: string, depth: number): Predicates[] {
    if (!Array.isArray(operand) || operand.length === 0 || operand.length > FILTER_LIMITS.maxChildren) {
      throw bad(
        at,
        `expected an array of 1 to ${FILTER_LIMITS.maxChildren} filters, got ${describe(operand)}`,
      );
    }
    return operand.map((child, index) => this.node(child, `${at}[${index}]`, depth + 1));
  }

  #all(children: Predicates[]): Predicates {
    const json = children.map((child) => child.json);
    const tick = children.map((child) => child.tick);
    return {
      json: (payload) => {
        for (let i = 0; i < json.length; i++) if (!json[i]!(payload)) return false;
        return true;
      },
      tick: (fields) => {
        for (let i = 0; i < tick.length; i++) if (!tick[i]!(fields)) return false;
        return true;
      },
    };
  }

  #any(children: Predicates[]): Predicates {
    const json = children.map((child) => child.json);
    const tick = children.map((child) => child.tick);
    return {
      json: (payload) => {
        for (let i = 0; i < json.length; i++) if (json[i]!(payload)) return true;
        return false;
      },
      tick: (fields) => {
        for (let i = 0; i < tick.length; i++) if (tick[i]!(fields)) return true;
        return false;
      },
    };
  }

  #comparison(operator: ComparisonOperator, operand: unknown, at: string): Predicates {
    if (!Array.isArray(operand) || operand.length !== 2) throw bad(at, 'expected [field, value]');
    const field = fieldRef(operand[0], `${at}[0]`);
    const value = filterValue(operand[1], `${at}[1]`);
    if (value.kind === 'boolean' && operator !== 'eq' && operator !== 'neq') {
      throw bad(`${at}[1]`, 'a boolean compares only with eq, neq, in and nin');
    }
    return comparisonPredicates(operator, field, value);
  }

  #membership(negate: boolean, operand: unknown, at: string): Predicates {
    if (!Array.isArray(operand) || operand.length !== 2) throw bad(at, 'expected [field, [value, ...]]');
    const field = fieldRef(operand[0], `${at}[0]`);
    const list: unknown = operand[1];
    if (!Array.isArray(list) || list.length > FILTER_LIMITS.maxListValues) {
      throw bad(
        `${at}[1]`,
        `expected an array of at most ${FILTER_LIMITS.maxListValues} values, got ${describe(list)}`,
      );
    }
    this.listValues += list.length;
    if (this.listValues > FILTER_LIMITS.maxTotalValues) {
      throw bad(`${at}[1]`, `a filter has at most ${FILTER_LIMITS.maxTotalValues} list values in all`);
    }
    const values = list.map((value, index) => filterValue(value, `${at}[1][${index}]`));
    return membershipPredicates(negate, field, values);
  }
}

function fieldRef(json: unknown, at: string): FieldRef {
  const segments = typeof json === 'string' ? json.split('.') : [];
  const valid =
    segments.length >= 1 &&
    segments.length <= FILTER_LIMITS.maxFieldSegments &&
    segments.every(
      (segment) => segment.length <= FILTER_LIMITS.maxSegmentLength && FIELD_SEGMENT.test(segment),
    );
  if (!valid) {
    throw bad(
      at,
      `field ${describe(json)} must be 1 to ${FILTER_LIMITS.maxFieldSegments} dot-separated names of ` +
        `letters, digits and _ (at most ${FILTER_LIMITS.maxSegmentLength} characters each)`,
    );
  }
  const id = tickFieldId(json as string);
  return { segments, tick: id === undefined ? undefined : { id, numeric: isNumericTickField(id) } };
}

function filterValue(json: unknown, at: string): FilterValue {
  if (typeof json === 'boolean') return { kind: 'boolean', value: json };
  if (typeof json === 'number' && Number.isFinite(json)) {
    return { kind: 'number', decimal: ExactDecimal.fromNumber(json) };
  }
  if (typeof json === 'string') {
    if (json.length > FILTER_LIMITS.maxStringLength) {
      throw bad(
        at,
        `a string value has at most ${FILTER_LIMITS.maxStringLength} characters, got ${json.length}`,
      );
    }
    const decimal = isDecimalText(json) ? ExactDecimal.fromText(json) : undefined;
    return decimal ? { kind: 'number', decimal } : { kind: 'text', text: json };
  }
  throw bad(at, `value must be a finite number, a string or a boolean, got ${describe(json)}`);
}

function bad(path: string, message: string): TickwireError {
  return new TickwireError('BAD_FILTER', `${path}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short rendering of what the client sent, for error messages (long text is cut). */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return quote(value);
  return String(value);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
