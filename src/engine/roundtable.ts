/**
 * The roundtable service: what adapters and commands call. It validates, writes to Redis and
 * enqueues; model work only ever happens in step jobs (step-machine.ts).
 *
 * Refusals and answers about a session are said in its language (`meta.language`, src/i18n);
 * those before a session exists (starting one, a thread without one) are English.
 */
import type { PresetRegistry } from '../panels/presets.ts';
import { randomUUID } from 'node:crypto';
import type { ChatAdapter, PollView } from '../adapter/chat-adapter.ts';
import type { InboxEvent, Person, SessionAction, StartRequest } from '../adapter/inbound-event.ts';
import type { Config } from '../config/config-schema.ts';
import { TableRoundError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { Panel } from '../panels/panel-schema.ts';
import { parseSessionId } from '../session/session-id.ts';
import type { SessionMeta } from '../session/session-types.ts';
import type { SessionStore } from '../store/session-store.ts';
import { peopleChoiceLimit, readPollView } from './poll-view.ts';
import { openPollPublisher, readSessionStatus } from './session-status.ts';
import type { RoundtableService, SessionStatus, StopOutcome, SubmitResult } from './roundtable-service.ts';
import { publishStop } from '../pipeline/stop-signals.ts';
import { sanitizeText } from './sanitize-text.ts';
import type { RateBudget } from '../pacing/rate-budget.ts';
import type { CommandRegistry } from '../command-core/command-contract.ts';
import { commandUsage } from './step-context.ts';
import type { PollPublisher } from '../outbound/poll-publisher.ts';
import { isRedisUnavailable } from '../store/redis-connection.ts';
import { joinList, t } from '../i18n/translate.ts';
import { checkStarter, type CommunityAdmin } from '../community/community-admin.ts';
import { newSessionMeta } from './session-start.ts';
import { openPollNamed } from './poll-opening.ts';

export interface RoundtableDependencies {
  config: Config;
  logger: Logger;
  store: SessionStore;
  panels: Map<string, Panel>;
  /** Adds the job of the session's current step (idempotent). */
  kick(sessionId: string, seq: number, epoch: number): Promise<void>;
  /** Makes sure the session's pending work has a live job (re-kicks or revives a dead one). */
  ensureLive(sessionId: string): Promise<unknown>;
  /** Marks the session in the pending-work index, before its new work becomes visible. */
  markPending(sessionId: string): Promise<void>;
  queuePosition(sessionId: string, seq: number, epoch: number): Promise<number | undefined>;
  adapterFor(platform: string): ChatAdapter;
  budget: RateBudget;
  commands: CommandRegistry;
  /** Session presets (prompts/presets/). */
  presets: PresetRegistry;
  /** Community panels and channel settings (src/community/). */
  community: CommunityAdmin;
}

export class Roundtable implements RoundtableService {
  /** Coalesced refreshes of poll messages after people's clicks (src/outbound/poll-publisher.ts). */
  readonly polls: PollPublisher;

  constructor(private readonly deps: RoundtableDependencies) {
    this.polls = openPollPublisher(deps);
    this.community = deps.community;
  }

  /** `/panel` and `/config`: the community's panels and the channel's settings. */
  readonly community: CommunityAdmin;

  answersIn(address: StartRequest['address']): Promise<boolean> {
    return this.guard('answersIn', async () => (await this.deps.community.settings(address)).enabled !== 'off');
  }

  startRefusal(address: StartRequest['address'], person: Person): Promise<string | undefined> {
    return this.guard('startRefusal', async () => {
      try {
        checkStarter(await this.deps.community.settings(address), person);
        return undefined;
      } catch (error) {
        if (error instanceof TableRoundError) return error.publicMessage;
        throw error;
      }
    });
  }

  toggleBallot(sessionId: string, person: Person, pollId: string, index: number): Promise<SubmitResult> {
    return this.guard('toggleBallot', () => this.toggle(sessionId, person, pollId, index));
  }

  pollShown(sessionId: string, view: PollView): void {
    this.polls.markShown(sessionId, view);
  }

  start(request: StartRequest): Promise<{ sessionId: string; language?: string }> {
    return this.guard('start', () => this.startSession(request));
  }

  submit(sessionId: string, person: Person, action: SessionAction, eventId?: string): Promise<SubmitResult> {
    return this.guard('submit', () => this.submitAction(sessionId, person, action, eventId));
  }

  status(sessionId: string): Promise<SessionStatus | undefined> {
    return this.guard('status', () => readSessionStatus(this.deps, sessionId));
  }

  stop(sessionId: string, person: Person): Promise<StopOutcome> {
    return this.guard('stop', () => this.requestStop(sessionId, person));
  }

  mayManage(sessionId: string, person: Person): Promise<boolean> {
    return this.guard('mayManage', () => this.checkManager(sessionId, person));
  }

  recentSessionFor(platform: string, channel: string, personId: string): Promise<string | undefined> {
    return this.guard('recentSessionFor', () => this.findRecentSession(platform, channel, personId));
  }

  endSession(sessionId: string, by: Person, eventId: string): Promise<boolean> {
    return this.guard('endSession', () => this.pushEnd(sessionId, by, eventId));
  }

  /** Every public call maps "Redis is down" to a coded error the person can be told about. */
  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isRedisUnavailable(error)) {
        throw new TableRoundError('redis_unavailable', `Redis unavailable during ${operation}`, { cause: error, publicMessage: 'Our memory store is unreachable right now; please try again in a moment.' });
      }
      throw error;
    }
  }

  panels(): { id: string; name: string; description: string }[] {
    return [...this.deps.panels.values()].map((panel) => ({ id: panel.id, name: panel.name, description: panel.description }));
  }

  /** Per-person rate limit on messages and commands, shared by all processes; refused in `language`. */
  private async admitPerson(platform: string, person: Person, language?: string): Promise<void> {
    const limit = this.deps.config.USER_COMMANDS_PER_MINUTE;
    if (limit <= 0) return;
    const waitMs = await this.deps.budget.tryReserve([{ bucket: `person:${platform}:${person.id}`, limit, windowMs: 60_000 }]);
    if (waitMs > 0) {
      throw new TableRoundError('rate_limited', `${person.id} over ${limit}/min`, {
        publicMessage: t(language, 'request.tooFast', { limit, seconds: Math.ceil(waitMs / 1000) }),
      });
    }
  }

  private async startSession(request: StartRequest): Promise<{ sessionId: string; language?: string }> {
    const { config, store } = this.deps;
    // The channel's settings (src/community/channel-settings.ts): read once, kept by the session.
    const settings = await this.deps.community.settings(request.address);
    checkStarter(settings, request.person);
    await this.admitPerson(request.address.platform, request.person);
    const personBudget = settings['person-budget'] ? Math.min(Number(settings['person-budget']), config.USER_TOKEN_BUDGET || Infinity) : config.USER_TOKEN_BUDGET;
    if (personBudget > 0) {
      const spent = await store.userSpend(request.address.platform, request.person.id);
      if (spent >= personBudget) {
        throw new TableRoundError('budget_exceeded', `${request.person.id} spent ${spent}`, {
          publicMessage: `Your roundtables have used today's token budget (${spent.toLocaleString('en')} of ${personBudget.toLocaleString('en')} tokens). Try again tomorrow.`,
        });
      }
    }
    const meta = await newSessionMeta(this.deps, request, settings);
    const { sessionId } = meta;
    // Indexed before it exists: if this process dies right after the create, the sweeper kicks it.
    await this.deps.markPending(sessionId);
    if (!(await store.create(meta))) {
      throw new TableRoundError('session_exists', `session ${sessionId} exists`, { publicMessage: 'A roundtable is already running in this thread.' });
    }
    await store.rememberUserSession(request.address.platform, request.address.channel, request.person.id, sessionId);
    this.deps.logger.info({ sessionId, panelId: meta.panelId, rounds: meta.autoRounds }, 'session started');
    await this.deps.kick(sessionId, 0, 0);
    return { sessionId, language: meta.language };
  }

  private async submitAction(sessionId: string, person: Person, action: SessionAction, eventId?: string): Promise<SubmitResult> {
    const { store, config } = this.deps;
    const meta = await store.load(sessionId);
    if (!meta) throw new TableRoundError('session_missing', `no session ${sessionId}`, { publicMessage: 'There is no roundtable in this thread. Start one by mentioning me with a topic.' });
    const { language } = meta;
    if (meta.status === 'ended') throw new TableRoundError('session_ended', `session ${sessionId} ended`, { publicMessage: t(language, 'command.sessionEnded') });
    await this.admitPerson(parseSessionId(sessionId).platform, person, language);
    const spent = meta.tokensPrompt + meta.tokensCompletion;
    const command = action.type === 'command' ? this.deps.commands.get(action.name) : undefined;
    if (action.type === 'command' && !command) throw new TableRoundError('bad_command', `unknown command ${action.name}`, { publicMessage: t(language, 'request.noSuchCommand', { name: action.name.slice(0, 32) }) });
    const costly = action.type === 'message' || (command?.spendsTokens?.(action.type === 'command' ? action.options : {}) ?? false);
    if (config.SESSION_TOKEN_BUDGET > 0 && spent >= config.SESSION_TOKEN_BUDGET && costly) {
      const hints = { adapter: this.deps.adapterFor(parseSessionId(sessionId).platform), deps: this.deps };
      throw new TableRoundError('budget_exceeded', `session ${sessionId} spent ${spent}`, {
        publicMessage: t(language, 'budget.sessionRefused', {
          spent: spent.toLocaleString('en'),
          budget: config.SESSION_TOKEN_BUDGET.toLocaleString('en'),
          commands: t(language, 'list.and', { first: commandUsage(hints, 'vote', 'close'), second: commandUsage(hints, 'end') }),
        }),
      });
    }
    let notice: string | undefined;
    let normalised = action;
    if (action.type === 'message') {
      const cleaned = sanitizeText(action.text, config.MAX_MESSAGE_CHARS);
      if (cleaned.clipped) notice = t(language, 'request.clipped', { chars: config.MAX_MESSAGE_CHARS });
      if (!cleaned.text && action.images.length === 0) return { outcome: 'duplicate' };
      normalised = { ...action, text: cleaned.text };
    }
    // Concept images cost real money: who may ask, the session's cap and the person's budget.
    if (action.type === 'command' && action.name === 'imagine') {
      await this.admitImagine(meta, person);
      normalised = { ...action, options: { ...action.options, prompt: sanitizeText(String(action.options.prompt ?? ''), 600).text } };
    }
    if (action.type === 'ballot') return this.castBallotNow(meta, person, action.choices, action.pollId);
    const event: InboxEvent = { eventId: eventId ?? randomUUID(), person, receivedAt: Date.now(), action: normalised };
    // Marked before the push: an event is never in the inbox without the sweeper knowing.
    await this.deps.markPending(sessionId);
    if (!(await store.pushInbox(sessionId, event))) return { outcome: 'duplicate' };
    const { platform, channel } = parseSessionId(sessionId);
    await store.rememberUserSession(platform, channel, person.id, sessionId);
    // Not a blind add: a current step whose job died is revived, so a person's message or command
    // never collapses onto a dead job.
    await this.deps.ensureLive(sessionId);
    return { outcome: 'queued', ...(notice ? { notice } : {}) };
  }

  /** `endSession`: the `end` command into the inbox as any person's, without a person's checks. */
  private async pushEnd(sessionId: string, by: Person, eventId: string): Promise<boolean> {
    const { store } = this.deps;
    const meta = await store.load(sessionId);
    if (!meta || meta.status === 'ended') return false;
    const event: InboxEvent = { eventId, person: by, receivedAt: Date.now(), action: { type: 'command', name: 'end', options: {} } };
    // Marked before the push, as every inbox event.
    await this.deps.markPending(sessionId);
    if (!(await store.pushInbox(sessionId, event))) return false;
    await this.deps.ensureLive(sessionId);
    this.deps.logger.info({ sessionId, by: by.id }, 'session end requested by the bot');
    return true;
  }

  /**
   * `/stop`, the gateway's half (pipeline/stop-signals.ts): the stop's inbox event and "stop
   * requested at seq N" are written in one script when there is something to stop, then every
   * worker is told on the stop channel. A lost message costs nothing but time: the event is
   * applied at the next step boundary anyway.
   */
  private async requestStop(sessionId: string, person: Person): Promise<StopOutcome> {
    const { store } = this.deps;
    const meta = await store.load(sessionId);
    if (!meta) throw new TableRoundError('session_missing', `no session ${sessionId}`, { publicMessage: 'There is no roundtable in this thread. Start one by mentioning me with a topic.' });
    const ended = () => new TableRoundError('session_ended', `session ${sessionId} ended`, { publicMessage: t(meta.language, 'command.sessionEnded') });
    if (meta.status === 'ended') throw ended();
    const { platform, channel } = parseSessionId(sessionId);
    await this.admitPerson(platform, person, meta.language);
    const event: InboxEvent = { eventId: randomUUID(), person, receivedAt: Date.now(), action: { type: 'command', name: 'stop', options: {} } };
    // Marked before the push, as every inbox event.
    await this.deps.markPending(sessionId);
    const result = await store.requestStop(sessionId, event);
    if (result.kind === 'gone') throw ended();
    if (result.kind === 'idle' || result.kind === 'closing') return result.kind;
    if (result.kind === 'stopping') {
      await publishStop(store.redis, store.keys.stopChannel(), { sessionId, seq: result.seq, eventId: event.eventId }).catch((error: unknown) =>
        this.deps.logger.warn({ err: error, sessionId }, 'could not publish the stop; it takes effect at the next step'),
      );
    }
    this.deps.logger.info({ sessionId, person: person.id }, 'stop requested');
    await store.rememberUserSession(platform, channel, person.id, sessionId);
    await this.deps.ensureLive(sessionId);
    return 'stopping';
  }

  /**
   * /imagine costs real money: who may ask is configurable (IMAGINE_ALLOWED), a session has a cap
   * (SESSION_IMAGE_LIMIT), and each image is charged to the session and to the person who asked
   * (IMAGE_TOKEN_COST tokens), so the person's day budget applies too.
   */
  private async admitImagine(meta: SessionMeta, person: Person): Promise<void> {
    const { config, store } = this.deps;
    const { language } = meta;
    const allowed = config.IMAGINE_ALLOWED;
    if ((allowed === 'managers' && !person.isManager) || (allowed === 'starter' && !person.isManager && meta.starter.id !== person.id)) {
      throw new TableRoundError('not_allowed', `imagine by ${person.id}`, {
        publicMessage: allowed === 'managers' ? t(language, 'imagine.managersOnly') : t(language, 'imagine.starterOnly'),
      });
    }
    const generated = meta.imagesGenerated ?? 0;
    if (generated + config.IMAGE_COUNT > config.SESSION_IMAGE_LIMIT) {
      throw new TableRoundError('budget_exceeded', `session image cap ${config.SESSION_IMAGE_LIMIT}`, {
        publicMessage: t(language, 'imagine.limitMade', { limit: config.SESSION_IMAGE_LIMIT, generated }),
      });
    }
    if (config.USER_TOKEN_BUDGET > 0) {
      const spent = await store.userSpend(parseSessionId(meta.sessionId).platform, person.id);
      if (spent + config.IMAGE_COUNT * config.IMAGE_TOKEN_COST > config.USER_TOKEN_BUDGET) {
        throw new TableRoundError('budget_exceeded', `${person.id} spent ${spent}`, {
          publicMessage: t(language, 'imagine.overBudget', {
            spent: spent.toLocaleString('en'),
            budget: config.USER_TOKEN_BUDGET.toLocaleString('en'),
            cost: config.IMAGE_TOKEN_COST.toLocaleString('en'),
          }),
        });
      }
    }
  }

  /**
   * A person's ballot is applied at once to the poll it names (or the poll open now), or refused
   * with a short answer — never queued, so a click that raced with a close can never count, by
   * index, in the next poll.
   */
  private async castBallotNow(meta: SessionMeta, person: Person, choices: number[], pollId: string | undefined): Promise<SubmitResult> {
    const { store, config } = this.deps;
    const { language } = meta;
    // A ballot naming the poll being opened waits for its step's commit (poll-opening.ts).
    const poll = pollId === undefined ? await store.poll(meta.sessionId) : await openPollNamed(store, meta, pollId);
    const closed = () => new TableRoundError('no_poll', `ballot for ${pollId ?? 'the open poll'} refused`, { publicMessage: t(language, pollId ? 'ballot.pollClosed' : 'ballot.noPoll') });
    if (!poll || poll.status !== 'open' || poll.closing) throw closed();
    const limit = peopleChoiceLimit(poll.candidates.length, config.PERSONA_BALLOT_SIZE);
    const unique = [...new Set(choices)];
    const invalid = unique.filter((index) => !Number.isInteger(index) || index < 0 || index >= poll.candidates.length);
    if (invalid.length) {
      throw new TableRoundError('bad_command', `invalid choices ${invalid.join(',')}`, { publicMessage: t(language, 'ballot.chooseByNumber', { count: poll.candidates.length }) });
    }
    if (unique.length > limit) {
      throw new TableRoundError('bad_command', `too many choices (${unique.length})`, { publicMessage: t(language, 'ballot.tooMany', { limit }) });
    }
    // The script applies it only while that very poll is open (a close in between refuses it).
    const applied = await store.castBallot(meta.sessionId, poll.pollId, `person:${person.id}`, { voterKind: 'person', voterName: person.displayName, choices: unique });
    if (!applied) throw closed();
    const { platform, channel } = parseSessionId(meta.sessionId);
    await store.rememberUserSession(platform, channel, person.id, meta.sessionId);
    const view = await readPollView(store, config, meta.sessionId, poll);
    // The person's answer does not wait for the poll message's update (coalesced with other clicks,
    // within the platform's write budget).
    this.polls.request(meta.sessionId);
    const labels = joinList(language, unique.map((index) => poll.candidates[index] ?? ''));
    return { outcome: 'applied', notice: unique.length ? t(language, 'ballot.yours', { choices: labels }) : t(language, 'ballot.empty'), poll: view };
  }

  private async toggle(sessionId: string, person: Person, pollId: string, index: number): Promise<SubmitResult> {
    const { store, config } = this.deps;
    const meta = await store.load(sessionId);
    if (!meta) throw new TableRoundError('session_missing', `no session ${sessionId}`, { publicMessage: 'There is no roundtable in this thread.' });
    const { language } = meta;
    await this.admitPerson(parseSessionId(sessionId).platform, person, language);
    // A click on the poll being opened (its message is up, its step not committed yet) waits for it.
    const poll = await openPollNamed(store, meta, pollId);
    const closed = new TableRoundError('no_poll', `toggle on ${pollId} refused`, { publicMessage: t(language, 'ballot.voteClosed') });
    if (!poll) throw closed;
    if (!Number.isInteger(index) || index < 0 || index >= poll.candidates.length) {
      throw new TableRoundError('bad_command', `toggle of ${index}`, { publicMessage: t(language, 'ballot.chooseOne', { count: poll.candidates.length }) });
    }
    const limit = peopleChoiceLimit(poll.candidates.length, config.PERSONA_BALLOT_SIZE);
    const result = await store.toggleBallot(sessionId, pollId, `person:${person.id}`, person.displayName, index, limit);
    if (result.kind === 'closed') throw closed;
    if (result.kind === 'full') return { outcome: 'full', notice: t(language, 'ballot.full', { limit }) };
    const { platform, channel } = parseSessionId(sessionId);
    await store.rememberUserSession(platform, channel, person.id, sessionId);
    const view = await readPollView(store, config, sessionId, poll);
    this.polls.request(sessionId);
    const labels = joinList(language, result.choices.map((choice) => `${choice + 1}. ${poll.candidates[choice]}`));
    return { outcome: 'applied', notice: result.choices.length ? t(language, 'ballot.yours', { choices: labels }) : t(language, 'ballot.empty'), poll: view };
  }

  private async checkManager(sessionId: string, person: Person): Promise<boolean> {
    if (person.isManager) return true;
    const meta = await this.deps.store.load(sessionId);
    return meta?.starter.id === person.id;
  }

  private async findRecentSession(platform: string, channel: string, personId: string): Promise<string | undefined> {
    for (const sessionId of await this.deps.store.recentUserSessions(platform, channel, personId)) {
      const meta = await this.deps.store.load(sessionId);
      if (meta?.status === 'active') return sessionId;
    }
    return undefined;
  }

  /**
   * Picks a session up after a restart of the process that drove it (the terminal's --resume):
   * re-enqueues its current step. Idempotent, like every kick.
   */
  async resume(sessionId: string): Promise<void> {
    const meta = await this.guard('resume', () => this.deps.store.load(sessionId));
    if (meta?.status === 'active') await this.guard('resume', () => this.deps.ensureLive(sessionId));
  }

  /** True while the session has steps or actions waiting (used by the terminal's pacing of piped input). */
  async isBusy(sessionId: string): Promise<boolean> {
    const pending = await this.deps.store.pendingWork(sessionId);
    return pending.steps > 0 || pending.events > 0;
  }
}
