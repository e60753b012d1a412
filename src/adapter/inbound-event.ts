/**
 * Inbound events, normalised by adapters. They are plain JSON: they travel through Redis
 * (the session inbox) and BullMQ jobs, so they never hold functions, buffers or live objects.
 */
import type { SessionAddress } from '../session/session-id.ts';

export interface Person {
  /** Platform user id. */
  id: string;
  displayName: string;
  /** Channel manager / workspace admin: may end any session. */
  isManager?: boolean;
  /**
   * Manages the community's panels and channel settings: Discord's Manage Server or the role
   * COMMUNITY_MANAGER_ROLE; a Slack workspace admin or owner; the terminal's user.
   */
  managesCommunity?: boolean;
  /** Discord role ids the person holds (who may start a session: `/config set starters role:<id>`). */
  roles?: string[];
}

/**
 * Where an uploaded image can be fetched from. Platform URLs expire (Discord CDN ~1 day), so the
 * bytes are fetched inside the job that uses them, soon after the upload.
 */
export interface ImageReference {
  /** `url` is fetched by the adapter (with its credentials); `path` is a local file. */
  kind: 'url' | 'path';
  location: string;
  filename: string;
  /** Size in bytes as announced by the platform, when it tells; checked before downloading. */
  size?: number;
  contentType?: string;
}

/**
 * What a person asks of a session. Messages and command requests go through the session's
 * ordered inbox and act at the next step boundary (a command's `plan` decides how); a ballot is
 * applied at once to the poll it names.
 */
export type SessionAction =
  | {
      type: 'message';
      text: string;
      images: ImageReference[];
      messageId?: string;
      /**
       * The persona this message asks (a reply to its post, an "Ask" button, `/ask`): only it
       * answers next. Without it, a message that starts with a persona's name addresses that one.
       */
      addressedTo?: string;
    }
  /** A person's ballot names its poll (a click on an old poll's message never votes in a newer one); without one, the poll open now. */
  | { type: 'ballot'; choices: number[]; pollId?: string }
  /** A registered command's request, with its validated options (plain JSON). */
  | { type: 'command'; name: string; options: Record<string, unknown> };

export interface InboxEvent {
  /** Unique id of the event (adapter-provided or generated), used to deduplicate. */
  eventId: string;
  person: Person;
  receivedAt: number;
  action: SessionAction;
}

export interface StartRequest {
  address: SessionAddress;
  person: Person;
  topic: string;
  panel?: string;
  rounds?: number;
  /** A session preset (prompts/presets/): which personas take part, rounds, turn length. */
  preset?: string;
  images?: ImageReference[];
  /** The session's language from its first post on, as `/lang <code>` sets it (the terminal's `--lang`). */
  language?: string;
}
