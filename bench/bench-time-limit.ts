/**
 * A bench that never settles (an await left hanging on a connection a failure half-closed) must
 * not hold `npm run bench` for ever: each bench runs within a time limit (BENCH_TIME_LIMIT_S,
 * default 600 s; the longest, code-at-filing, takes about 110 s on a 2-core machine), past which it counts as
 * failed with a message that says so, and the run goes on with the next bench. What the stuck
 * bench left open is closed when run-all.ts exits.
 */
export async function withinTimeLimit<T>(name: string, limitMs: number, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not finish within ${Math.round(limitMs / 1000)} s`)), limitMs);
  });
  try {
    return await Promise.race([run(), expired]);
  } finally {
    clearTimeout(timer);
  }
}
