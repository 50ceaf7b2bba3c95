/** A repeatable stand-in for Math.random (a linear congruential generator): a failing run can be run again as it was. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}
