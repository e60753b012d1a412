/**
 * The adapter contract's Slack rig: the real app with the real Slack adapter against the Slack
 * emulator (signed Events API, Slack's tiers enforced with windows scaled down for the bot and the
 * emulator alike: slack-e2e-harness.ts). People mention the bot in one channel; the emulator
 * delivers the app's own posts back as `message` events, as Slack does.
 */
import { startE2E } from '../slack-e2e/slack-e2e-harness.ts';
import type { ContractRig, RigFactory, ThreadMessage } from './contract-rig.ts';

/** Anything Slack would notify people for: special mentions, user / group mentions, and `@channel`-style words. */
const slackPing = /<[!@]|(^|[\s(])@(channel|here|everyone)\b/;

export const slackRig: RigFactory = {
  platform: 'slack',
  echoesOwnPosts: true,
  pings: '<!channel> <!here> <!everyone> <@U0000001> <!subteam^S0001|@designers> @channel @here',
  async create(): Promise<ContractRig> {
    const harness = await startE2E();
    const { emulator, app } = harness;
    const channel = emulator.addChannel('contract');
    const threads = new Map<string, string>();
    let people = 0;
    const chat = app.platforms.get('slack')?.adapter;
    if (!chat) throw new Error('the app has no Slack adapter');
    return {
      app,
      adapter: chat,
      async startSession(topic) {
        const person = emulator.addUser(`person${people++}`);
        const mention = await emulator.userMentions(person, channel.id, topic);
        const sessionId = harness.sessionIdFor(channel.id, mention.ts);
        threads.set(sessionId, mention.ts);
        // Slack is answered first (within 3 s); the session is created right after.
        await harness.settled(sessionId, undefined, 30_000).catch(() => undefined);
        const deadline = Date.now() + 20_000;
        while (!(await app.roundtable.status(sessionId))) {
          if (Date.now() > deadline) throw new Error(`no session for the mention “${topic}”`);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        return sessionId;
      },
      thread(sessionId): ThreadMessage[] {
        const threadTs = threads.get(sessionId);
        if (!threadTs) return [];
        return emulator.thread(channel.id, threadTs).map((message) => ({
          ref: message.ts,
          fromUs: message.botId === emulator.workspace.botId,
          text: message.text,
          history: message.history.length ? message.history : [message.text],
          pinged: [message.text, ...message.history].some((text) => slackPing.test(text)),
        }));
      },
      ownPostsEchoed: () => emulator.botEchoes,
      rateLimitHits: () => emulator.rateLimitHits.length,
      stop: () => harness.stop(),
    };
  },
};
