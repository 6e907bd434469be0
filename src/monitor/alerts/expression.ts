import { TickwireError } from '../../errors.ts';

/** Named figures a rule's expression reads (docs/MONITORING.md, "Readings"). */
export type Readings = Readonly<Record<string, number | undefined>>;

/** A compiled expression: its value, or undefined when a reading it uses has no value now. */
export type Expression = {
  readonly names: readonly string[];
  evaluate(readings: Readings): number | undefined;
};

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'reading'; name: string }
  | { kind: 'negate'; operand: Node }
  | { kind: 'binary'; operator: '+' | '-' | '*' | '/'; left: Node; right: Node };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([a-z_][a-z0-9_.]*)|([-+*/()]))/giy;

/**
 * Compiles an alert rule's expression: reading names, numbers, `+ - * /` and parentheses, e.g.
 * `gateway.conflation_ratio * 100` or `process.rss_bytes / process.heap_total_bytes`. Anything
 * else is BAD_CONFIG with the position. Division by zero gives undefined (no value), not Infinity.
 */
export function compileExpression(source: string, known: ReadonlySet<string>): Expression {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (match === null) {
      if (source.slice(at).trim() === '') break;
      throw bad(source, `unexpected ${JSON.stringify(source.slice(at).trim()[0])} at ${at}`);
    }
    tokens.push(match[1] ?? match[2] ?? match[3]!);
  }
  let position = 0;
  const peek = () => tokens[position];
  const names = new Set<string>();

  const primary = (): Node => {
    const token = tokens[position++];
    if (token === undefined) throw bad(source, 'it ends too early');
    if (token === '(') {
      const inner = sum();
      if (tokens[position++] !== ')') throw bad(source, 'a ( is not closed');
      return inner;
    }
    if (token === '-') return { kind: 'negate', operand: primary() };
    if (/^\d/.test(token)) return { kind: 'number', value: Number(token) };
    if (/^[a-z_]/i.test(token)) {
      if (!known.has(token)) throw bad(source, `${token} is not a reading (docs/MONITORING.md lists them)`);
      names.add(token);
      return { kind: 'reading', name: token };
    }
    throw bad(source, `unexpected ${token}`);
  };
  const product = (): Node => {
    let node = primary();
    while (peek() === '*' || peek() === '/') {
      const operator = tokens[position++] as '*' | '/';
      node = { kind: 'binary', operator, left: node, right: primary() };
    }
    return node;
  };
  const sum = (): Node => {
    let node = product();
    while (peek() === '+' || peek() === '-') {
      const operator = tokens[position++] as '+' | '-';
      node = { kind: 'binary', operator, left: node, right: product() };
    }
    return node;
  };
  const tree = sum();
  if (position !== tokens.length) throw bad(source, `unexpected ${tokens[position]}`);
  return { names: [...names], evaluate: (readings) => evaluate(tree, readings) };
}

function evaluate(node: Node, readings: Readings): number | undefined {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'reading':
      return readings[node.name];
    case 'negate': {
      const value = evaluate(node.operand, readings);
      return value === undefined ? undefined : -value;
    }
    case 'binary': {
      const left = evaluate(node.left, readings);
      const right = evaluate(node.right, readings);
      if (left === undefined || right === undefined) return undefined;
      if (node.operator === '/') return right === 0 ? undefined : left / right;
      return node.operator === '+' ? left + right : node.operator === '-' ? left - right : left * right;
    }
  }
}

const bad = (source: string, why: string) =>
  new TickwireError('BAD_CONFIG', `alert expression ${JSON.stringify(source)}: ${why}`);
