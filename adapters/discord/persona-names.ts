/**
 * Per-session registry of the webhook names given to personas, stored in Redis so every worker
 * gives a persona the same name and no two personas of a session share one. Read backwards
 * (`personaNamed`), it tells whose post a person replied to (persona-posts.ts).
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { RedisKeys } from '../../src/store/keys.ts';
import type { PersonaIdentity } from '../../src/adapter/chat-adapter.ts';
import { sanitizeWebhookName, webhookNameLimit } from './persona-name.ts';

const ttlSeconds = 7 * 24 * 3600;
const maxSuffix = 30;

// KEYS[1]: hash personaId → name. ARGV: personaId, ttlSeconds, candidates in order of preference.
const assignScript = `
local name = redis.call('HGET', KEYS[1], ARGV[1])
if not name then
  local values = redis.call('HVALS', KEYS[1])
  for i = 3, #ARGV do
    local free = true
    for _, value in ipairs(values) do
      if string.lower(value) == string.lower(ARGV[i]) then free = false break end
    end
    if free then name = ARGV[i] break end
  end
  name = name or ARGV[#ARGV]
  redis.call('HSET', KEYS[1], ARGV[1], name)
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return name
`;

function nameCandidates(personaId: string, displayName: string): string[] {
  const base = sanitizeWebhookName(displayName, personaId.slice(0, webhookNameLimit) || 'Persona');
  const candidates = [base];
  for (let suffix = 2; suffix <= maxSuffix; suffix += 1) {
    const tail = ` (${suffix})`;
    candidates.push(`${base.slice(0, webhookNameLimit - tail.length)}${tail}`);
  }
  return candidates;
}

export class PersonaNames {
  private readonly local = new Map<string, Map<string, string>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async nameFor(sessionId: string, persona: PersonaIdentity): Promise<string> {
    const known = this.local.get(sessionId)?.get(persona.id);
    if (known) return known;
    const key = this.keys.cache(`discord:names:${sessionId}`);
    const candidates = nameCandidates(persona.id, persona.displayName);
    // Atomic: two workers naming two same-named personas at once still get different names.
    const name = String(await this.redis.eval(assignScript, 1, key, persona.id, String(ttlSeconds), ...candidates));
    let names = this.local.get(sessionId);
    if (!names) {
      names = new Map();
      this.local.set(sessionId, names);
      // Bounded memory: sessions are few per process, but never let the map grow forever.
      if (this.local.size > 1_000) this.local.delete(this.local.keys().next().value ?? '');
    }
    names.set(persona.id, name);
    return name;
  }

  /**
   * The persona given exactly this webhook name in the session (the reverse of `nameFor`), or
   * undefined. Names are unique within a session (the assign script), so the answer is one persona.
   */
  async personaNamed(sessionId: string, name: string): Promise<string | undefined> {
    for (const [personaId, known] of this.local.get(sessionId) ?? []) if (known === name) return personaId;
    const all = await this.redis.hgetall(this.keys.cache(`discord:names:${sessionId}`));
    return Object.entries(all).find(([, known]) => known === name)?.[0];
  }
}
