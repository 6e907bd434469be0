/**
 * Bounds how deeply a JSON text nests before anything walks it: JSON.parse takes any depth, but
 * every validator after it (zod, the filter compiler) recurses, and a body of a few kilobytes
 * nested twenty thousand deep overflows the stack there. One pass over the characters, counting
 * brackets outside strings, costs far less than the parse it guards.
 */

/** Deepest nesting of arrays and objects a request may have; real requests stay under ten. */
export const MAX_JSON_DEPTH = 64;

/** True when `text` opens more than `maxDepth` arrays or objects inside one another. */
export function nestsDeeperThan(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i++; // backslash: the next character is escaped
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}
