/** Discord-style snowflakes: ms since the Discord epoch shifted left 22 bits, plus a counter. */
const discordEpoch = 1_420_070_400_000n;
let counter = 0n;

export function nextSnowflake(now = Date.now()): string {
  counter = (counter + 1n) & 0xfffn;
  return (((BigInt(now) - discordEpoch) << 22n) | (1n << 17n) | counter).toString();
}
