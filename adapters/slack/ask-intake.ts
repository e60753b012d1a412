/**
 * The Ask button and its modal. A click (block_actions, acked by the caller) opens the modal with
 * views.open — its trigger_id expires 3 s after the click, so this runs right after the ack and
 * takes a Tier 4 slot only if one is free now (slack-pacing.ts). The submission (view_submission,
 * acked by the caller) queues the question as the person's message `addressedTo` that persona, then
 * shows it in the thread as the moderator ("❓ *Ada* asks *Bayar*: …", everything escaped: no
 * `<!here>`, `<@U…>` or `@channel` can ping) — otherwise the modal's text would be seen by nobody.
 * Outside a live session, or for a persona no longer on the panel, the person gets a short
 * ephemeral answer instead. Never throws.
 */
import type { WebClient } from '@slack/web-api';
import type { RoundtableService, SessionStatus } from '../../src/engine/roundtable-service.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { Config } from '../../src/config/config-schema.ts';
import { asTableRoundError } from '../../src/errors.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { t } from '../../src/i18n/translate.ts';
import { askModalView, decodeAskTarget, questionOf, type AskTarget, type SubmittedView } from './ask-blocks.ts';
import { threadOf, type MessagePoster } from './message-poster.ts';
import { toSlackMrkdwn } from './mrkdwn.ts';
import type { PersonDirectory } from './people.ts';
import type { Replies, ReplyTarget, RespondFunction } from './replies.ts';
import type { SlackPacing } from './slack-pacing.ts';
import type { SlackWorkspaces } from './slack-workspaces.ts';

export interface AskIntakeDependencies {
  /** Each workspace's client (slack-workspaces.ts). */
  workspaces: SlackWorkspaces;
  roundtable: RoundtableService;
  people: PersonDirectory;
  replies: Replies;
  poster: MessagePoster;
  pacing: SlackPacing;
  logger: Logger;
  config: Pick<Config, 'MAX_MESSAGE_CHARS'>;
}

export interface SlackUser {
  id: string;
  name?: string;
}

type Checked = { status: SessionStatus; name: string } | { refusal: string };

export class AskIntake {
  constructor(private readonly dependencies: AskIntakeDependencies) {}

  /** A click on an Ask button: the modal, or why not. */
  async onAskClick(value: string | undefined, user: SlackUser, triggerId: string, channel: string, respond: RespondFunction | undefined, team: string): Promise<void> {
    const target = decodeAskTarget(value);
    if (!target) return;
    const replyTarget = this.replyTarget(target, user, channel, respond);
    const checked = await this.check(target);
    if ('refusal' in checked) return this.dependencies.replies.ephemeral(replyTarget, checked.refusal);
    const { language } = checked.status;
    const client = await this.dependencies.workspaces.client(team);
    if (!client) return;
    if (!(await this.dependencies.pacing.tryViewOpen(channel))) return this.dependencies.replies.ephemeral(replyTarget, t(language, 'ask.busy'));
    const view = askModalView({ ...target, ...(language ? { language } : {}) }, checked.name, this.dependencies.config.MAX_MESSAGE_CHARS);
    try {
      await client.views.open({ trigger_id: triggerId, view: view as unknown as Parameters<WebClient['views']['open']>[0]['view'] });
    } catch (error) {
      this.dependencies.logger.warn({ err: error, sessionId: target.sessionId }, 'slack: views.open failed for an Ask button');
      await this.dependencies.replies.ephemeral(replyTarget, t(language, 'ask.failed'));
    }
  }

  /** The modal's submission (acked already; an empty question was refused inside the modal). */
  async onQuestion(view: SubmittedView, user: SlackUser, team: string): Promise<void> {
    const target = decodeAskTarget(view.private_metadata);
    if (!target) return;
    const thread = threadOf(target.sessionId);
    const replyTarget: ReplyTarget = { channel: thread.channel, user: user.id, threadTs: thread.threadTs };
    const question = questionOf(view);
    const checked = await this.check(target);
    if ('refusal' in checked) return this.dependencies.replies.ephemeral(replyTarget, checked.refusal);
    const { language } = checked.status;
    if (!question) return this.dependencies.replies.ephemeral(replyTarget, t(language, 'ask.emptyQuestion'));
    const person = await this.dependencies.people.lookup(team, user.id, user.name);
    try {
      await this.dependencies.roundtable.submit(target.sessionId, person, { type: 'message', text: question, images: [], addressedTo: target.personaId }, `slack:ask:${view.id}`);
    } catch (error) {
      const failure = asTableRoundError(error);
      this.dependencies.logger.warn({ err: failure, sessionId: target.sessionId }, 'slack: a question from the Ask modal was refused');
      return this.dependencies.replies.ephemeral(replyTarget, describeForPerson(failure, language));
    }
    const line = toSlackMrkdwn(t(language, 'ask.shown', { person: person.displayName, persona: checked.name, question }));
    await this.dependencies.poster.postPart(thread, { kind: 'moderator' }, line).catch((error: unknown) => this.dependencies.logger.warn({ err: error, sessionId: target.sessionId }, 'slack: could not show an asked question in the thread'));
  }

  /** The live session and the persona on its panel, or the refusal to show. */
  private async check(target: AskTarget): Promise<Checked> {
    const status = await this.dependencies.roundtable.status(target.sessionId).catch(() => undefined);
    if (!status) return { refusal: t(target.language, 'ask.noSession') };
    if (status.ended) return { refusal: t(status.language, 'ask.sessionEnded') };
    const persona = status.personas.find((candidate) => candidate.id === target.personaId);
    if (!persona) return { refusal: t(status.language, 'ask.personaGone', { name: target.name ?? target.personaId }) };
    return { status, name: persona.displayName };
  }

  private replyTarget(target: AskTarget, user: SlackUser, channel: string, respond: RespondFunction | undefined): ReplyTarget {
    if (respond) return { channel, user: user.id, respond };
    return { channel, user: user.id, threadTs: threadOf(target.sessionId).threadTs };
  }
}
