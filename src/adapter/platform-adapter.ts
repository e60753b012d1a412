/**
 * How the app wires a platform in. Each platform folder under adapters/ exports a factory
 * `(dependencies) => PlatformAdapter`. The app calls `startInbound` only in processes whose ROLE
 * ingests events (gateway / all); every process uses `adapter` for outbound posts.
 */
import type { RedisClient } from '../store/redis-connection.ts';
import type { Config } from '../config/config-schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { RedisKeys } from '../store/keys.ts';
import type { RateBudget } from '../pacing/rate-budget.ts';
import type { RoundtableService } from '../engine/roundtable-service.ts';
import type { CommandDefinition, CommandReply } from '../command-core/command-contract.ts';
import type { ChatAdapter } from './chat-adapter.ts';
import type { Person } from './inbound-event.ts';
import type { SessionAddress } from '../session/session-id.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface CommandInvocation {
  name: string;
  /** Raw options as the platform delivered them (strings / numbers); validated by the runner. */
  options: Record<string, unknown>;
  person: Person;
  address: SessionAddress;
  /** The session the command acts on, when the adapter knows it (typed inside a session thread). */
  sessionId: string | undefined;
}

export interface AdapterDependencies {
  config: Config;
  logger: Logger;
  /** A general-purpose connection (not a blocking/subscriber one). */
  redis: RedisClient;
  keys: RedisKeys;
  budget: RateBudget;
  roundtable: RoundtableService;
  commands: readonly CommandDefinition[];
  /** Validates, checks permission and runs a command; never throws — errors become a reply. */
  runCommand(invocation: CommandInvocation): Promise<CommandReply>;
  /** Count platform 429s here (`metrics.platform429s.inc({platform})`); absent in some tests. */
  metrics?: Metrics;
}

/**
 * Shutdown comes in two halves, in this order (start-app.ts): `stopIntake` — no more events
 * (gateway connections closed, HTTP receivers stopped) while outbound calls keep working, so the
 * steps still running can finish; then, once they have, `dispose` — release what is left (REST
 * clients, sockets). Both are idempotent and never throw.
 */
export interface PlatformAdapter {
  adapter: ChatAdapter;
  startInbound(): Promise<void>;
  stopIntake(): Promise<void>;
  dispose(): Promise<void>;
  /** For /healthz: is the inbound connection up (true when inbound was never started)? */
  isConnected(): boolean;
}
