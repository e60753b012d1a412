/**
 * What the adapter contract suite (adapter-contract.ts) needs from a platform: the real app with
 * the platform's real adapter, driven from outside through the platform's own wire (a person's
 * mention or message, the platform echoing our posts back), and read back as the platform holds
 * it (messages with their edit history and what they pinged).
 */
import type { ChatAdapter } from '../../src/adapter/chat-adapter.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

/** One message in a session's thread, as the platform (emulator) holds it. */
export interface ThreadMessage {
  /** The adapter's ref for it, when the rig can tell (compared with what `send` returned). */
  ref?: string;
  /** Sent by this app (the bot or one of its persona identities). */
  fromUs: boolean;
  /** Current text, and every text it ever showed (create, then each edit). */
  text: string;
  history: string[];
  /** Whether the platform would have notified anyone (anyone at all) for it, on create or any edit. */
  pinged: boolean;
}

export interface ContractRig {
  app: RunningApp;
  /** The adapter the app posts through (the very instance). */
  adapter: ChatAdapter;
  /** A person starts a roundtable with this topic through the platform's inbound path; the session id the app created. */
  startSession(topic: string): Promise<string>;
  /** The session thread's messages, oldest first. */
  thread(sessionId: string): ThreadMessage[];
  /** How many of our own posts the platform delivered back to the app as inbound events (Discord's gateway, Slack's Events API). */
  ownPostsEchoed(): number;
  /** 429s the platform answered the app, all told. */
  rateLimitHits(): number;
  stop(): Promise<void>;
}

export interface RigFactory {
  platform: 'terminal' | 'discord' | 'slack';
  /** The platform delivers the app's own posts back to it (so "never answers itself" is exercised). */
  echoesOwnPosts: boolean;
  /** Text that would notify people on this platform if it were not neutralised. */
  pings: string;
  create(): Promise<ContractRig>;
}
