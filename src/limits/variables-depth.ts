/**
 * How deeply a JSON value nests (a scalar is 0, `{"a": 1}` is 1), counted without recursion
 * so that a hostile value cannot overflow the stack here; stops counting past `max`.
 */
export function nestingDepth(value: unknown, max: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > max) return deepest;
    for (const child of Object.values(current)) stack.push([child, level]);
  }
  return deepest;
}
