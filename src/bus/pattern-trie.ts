import { SINGLE_WILDCARD, TAIL_WILDCARD } from './topic-grammar.ts';

interface TrieNode<T> {
  /** Children for literal segments. */
  readonly literals: Map<string, TrieNode<T>>;
  /** Child for a `*` segment. */
  star: TrieNode<T> | undefined;
  /** Values whose pattern ends at this node. */
  readonly here: T[];
  /** Values whose pattern ends with `>` right after this node. */
  readonly tail: T[];
}

/**
 * Wildcard patterns stored by segment, so finding the patterns that match a topic walks at most
 * (literal + `*`) branches per topic segment instead of testing every pattern.
 * Patterns must already be valid (parsePattern); the same pattern may hold many values.
 */
export class PatternTrie<T> {
  private readonly root: TrieNode<T> = newNode();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(pattern: string, value: T): void {
    let node = this.root;
    for (const segment of pattern.split('.')) {
      if (segment === TAIL_WILDCARD) {
        node.tail.push(value);
        this.count++;
        return;
      }
      if (segment === SINGLE_WILDCARD) {
        node.star ??= newNode();
        node = node.star;
      } else {
        let child = node.literals.get(segment);
        if (child === undefined) {
          child = newNode();
          node.literals.set(segment, child);
        }
        node = child;
      }
    }
    node.here.push(value);
    this.count++;
  }

  /** Removes one occurrence of `value` under `pattern`, pruning nodes left empty. Returns whether it was there. */
  remove(pattern: string, value: T): boolean {
    const segments = pattern.split('.');
    const path: TrieNode<T>[] = [this.root];
    let node = this.root;
    let list: T[] | undefined;
    for (const segment of segments) {
      if (segment === TAIL_WILDCARD) {
        list = node.tail;
        break;
      }
      const child = segment === SINGLE_WILDCARD ? node.star : node.literals.get(segment);
      if (child === undefined) return false;
      node = child;
      path.push(node);
    }
    list ??= node.here;
    const index = list.indexOf(value);
    if (index < 0) return false;
    list.splice(index, 1);
    this.count--;
    for (let depth = path.length - 1; depth > 0; depth--) {
      const current = path[depth]!;
      if (!isEmpty(current)) break;
      const parent = path[depth - 1]!;
      const segment = segments[depth - 1]!;
      if (segment === SINGLE_WILDCARD) parent.star = undefined;
      else parent.literals.delete(segment);
    }
    return true;
  }

  /** Appends to `out` every value whose pattern matches the topic given as its segments. */
  collect(segments: readonly string[], out: T[]): void {
    collectFrom(this.root, segments, 0, out);
  }
}

function collectFrom<T>(node: TrieNode<T>, segments: readonly string[], index: number, out: T[]): void {
  if (index === segments.length) {
    for (const value of node.here) out.push(value);
    return;
  }
  // `>` needs at least one remaining segment, which index < segments.length guarantees.
  for (const value of node.tail) out.push(value);
  const literal = node.literals.get(segments[index]!);
  if (literal !== undefined) collectFrom(literal, segments, index + 1, out);
  if (node.star !== undefined) collectFrom(node.star, segments, index + 1, out);
}

function newNode<T>(): TrieNode<T> {
  return { literals: new Map(), star: undefined, here: [], tail: [] };
}

function isEmpty<T>(node: TrieNode<T>): boolean {
  return (
    node.here.length === 0 && node.tail.length === 0 && node.star === undefined && node.literals.size === 0
  );
}
