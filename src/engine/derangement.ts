/**
 * A derangement of roles: every persona gets a role other than its own. With several personas
 * sharing a role (three consumers), "other" means a different role id, which is only possible
 * when no role is held by more than half the panel; otherwise as many as possible change.
 * `random` is injectable so tests are deterministic.
 */
export function deriveRoleSwitch(personas: { id: string; role: string }[], random: () => number = Math.random): Record<string, string> {
  const roles = personas.map((persona) => persona.role);
  let best: string[] = roles;
  let bestFixed = Infinity;
  for (let attempt = 0; attempt < 500; attempt++) {
    const shuffled = shuffle(roles, random);
    const fixed = shuffled.filter((role, index) => role === personas[index]?.role).length;
    if (fixed < bestFixed) {
      best = shuffled;
      bestFixed = fixed;
      if (fixed === 0) break;
    }
  }
  return Object.fromEntries(personas.map((persona, index) => [persona.id, best[index] ?? persona.role]));
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
