/**
 * Persona identities for adapters: display name, emoji, and the avatar prepared once per process
 * (square PNG ≤ 256 px from the panel's file, or generated). With PUBLIC_BASE_URL set, the avatar
 * is also served by our HTTP server at a content-hashed URL (`/avatars/<hash>.png`), which
 * platforms need for per-message avatars.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PersonaIdentity } from '../adapter/chat-adapter.ts';
import type { Config } from '../config/config-schema.ts';
import { prepareAvatar } from '../images/persona-avatar.ts';
import type { Logger } from '../logging/logger.ts';
import type { Panel, Persona } from '../panels/panel-schema.ts';

/** Identities kept: the built-in panels' and the community panels' of the sessions running lately. */
const identitiesKept = 2_000;

export class PersonaIdentities {
  private readonly identities = new Map<string, Promise<PersonaIdentity>>();
  /** hash → PNG bytes, for the avatar route. */
  readonly avatarsByHash = new Map<string, Buffer>();

  constructor(
    private readonly config: Config,
    private readonly panels: Map<string, Panel>,
    private readonly logger: Logger,
  ) {}

  identityOf(persona: Persona): Promise<PersonaIdentity> {
    // By what the identity shows: two communities' panels may both have a persona `ana`.
    const key = [persona.id, persona.displayName, persona.emoji, persona.avatar ?? ''].join('\u0000');
    let identity = this.identities.get(key);
    if (!identity) {
      identity = this.prepare(persona);
      if (this.identities.size >= identitiesKept) this.identities.delete(this.identities.keys().next().value!);
      this.identities.set(key, identity);
    }
    return identity;
  }

  private async prepare(persona: Persona): Promise<PersonaIdentity> {
    const panel = [...this.panels.values()].find((candidate) => candidate.personas.includes(persona));
    let source: Buffer | undefined;
    if (persona.avatar && panel) {
      source = await readFile(join(panel.folder, persona.avatar)).catch((error: unknown) => {
        this.logger.warn({ err: error, persona: persona.id }, 'avatar file unreadable; generating one');
        return undefined;
      });
    }
    const avatar = await prepareAvatar(source, { id: persona.id, displayName: persona.displayName }).catch((error: unknown) => {
      this.logger.warn({ err: error, persona: persona.id }, 'avatar preparation failed');
      return undefined;
    });
    if (avatar) this.avatarsByHash.set(avatar.hash, avatar.png);
    const base = this.config.PUBLIC_BASE_URL?.replace(/\/$/, '');
    return {
      id: persona.id,
      displayName: persona.displayName,
      emoji: persona.emoji,
      ...(avatar ? { avatarPng: avatar.png, avatarHash: avatar.hash } : {}),
      ...(avatar && base ? { avatarUrl: `${base}/avatars/${avatar.hash}.png` } : {}),
    };
  }

  /** Prepares every persona's avatar up front so the avatar route can serve them. */
  async warmUp(): Promise<void> {
    await Promise.all([...this.panels.values()].flatMap((panel) => panel.personas.map((persona) => this.identityOf(persona))));
  }
}
