const DOT = 0x2e;
const STAR = 0x2a;
const GREATER = 0x3e;

/**
 * True when `topic` matches `pattern`: literal segments match themselves, `*` matches exactly one
 * segment, and a final `>` matches one or more remaining segments (never zero, as in NATS).
 *
 * Both arguments are taken as already valid (parseTopic / parsePattern, or a bus that validated
 * them); this function does not re-check the grammar so that callers on a hot path (a permission
 * check per message, a naive bus) pay only for the comparison. It walks both strings once,
 * character by character, and allocates nothing (indexOf/slice-based versions measured 2-5x
 * slower on Node 20 for topic-sized strings).
 */
export function topicMatches(pattern: string, topic: string): boolean {
  const patternLength = pattern.length;
  const topicLength = topic.length;
  let p = 0;
  let t = 0;
  for (;;) {
    // Here p and t are at the start of a segment each.
    const first = pattern.charCodeAt(p);
    const wholeSegment = p + 1 === patternLength || pattern.charCodeAt(p + 1) === DOT;
    if (first === GREATER && wholeSegment) return t < topicLength;
    if (t >= topicLength) return false;
    if (first === STAR && wholeSegment) {
      p++;
      while (t < topicLength && topic.charCodeAt(t) !== DOT) t++;
    } else {
      for (; p < patternLength; p++, t++) {
        const code = pattern.charCodeAt(p);
        if (code === DOT) break;
        if (code !== topic.charCodeAt(t)) return false; // NaN past the topic's end never equals
      }
      if (t < topicLength && topic.charCodeAt(t) !== DOT) return false;
    }
    if (p === patternLength) return t === topicLength;
    if (t === topicLength) return false;
    p++;
    t++;
  }
}
