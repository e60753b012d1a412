/**
 * The Slack platform adapter: `createSlackAdapter(dependencies)`. Only this folder imports
 * @slack/bolt and @slack/web-api. Outbound (`adapter`) works in every process; `startInbound`
 * starts the HTTP or Socket Mode receiver in gateway processes.
 */
import type { AdapterDependencies, PlatformAdapter } from '../../src/adapter/platform-adapter.ts';
import { commandRegistry } from '../../src/command-core/command-contract.ts';
import { createWebClient, botIdentityLoader } from './web-client.ts';
import { SlackPacing } from './slack-pacing.ts';
import { MessagePoster } from './message-poster.ts';
import { Replies } from './replies.ts';
import { PersonDirectory } from './people.ts';
import { SlackChatAdapter } from './slack-chat-adapter.ts';
import { EventIntake } from './event-intake.ts';
import { CommandIntake } from './command-intake.ts';
import { AskIntake } from './ask-intake.ts';
import type { BoltInbound } from './bolt-inbound.ts';
import { SessionLanguages } from '../shared/session-languages.ts';

export function createSlackAdapter(dependencies: AdapterDependencies): PlatformAdapter {
  const { config, redis, keys, roundtable, runCommand } = dependencies;
  const logger = dependencies.logger.child({ platform: 'slack' });
  const client = createWebClient(config, logger, dependencies.metrics);
  const bot = botIdentityLoader(client);
  const pacing = new SlackPacing(dependencies.budget, config, async () => (await bot()).teamId);
  const poster = new MessagePoster(client, pacing);
  const replies = new Replies(client, poster, logger);
  const people = new PersonDirectory(client, redis, keys, logger, config.COMMUNITY_MANAGER_ROLE);
  const adapter = new SlackChatAdapter({ config, client, poster, pacing, roundtable, logger, bot, cache: { redis, keys } });
  let inbound: BoltInbound | undefined;

  return {
    adapter,
    startInbound: async () => {
      // Bolt (and its HTTP server) only where events come in: worker processes never load it.
      const { BackgroundTasks, createBoltInbound } = await import('./bolt-inbound.ts');
      const tasks = new BackgroundTasks(logger);
      const registry = commandRegistry(dependencies.commands);
      const languages = new SessionLanguages(roundtable);
      const languageOf = (sessionId: string) => languages.of(sessionId);
      const events = new EventIntake({ registry, roundtable, runCommand, redis, keys, logger, people, replies, bot, appId: () => inbound?.appId(), command: config.SLACK_COMMAND, languageOf });
      const commands = new CommandIntake({ registry, client, roundtable, runCommand, people, replies, pacing, logger, command: config.SLACK_COMMAND, languageOf });
      const asks = new AskIntake({ client, roundtable, people, replies, poster, pacing, logger, config });
      inbound = createBoltInbound(config, logger, events, commands, asks, tasks);
      await inbound.start();
    },
    /** Stops the HTTP / Socket Mode receiver (and waits for work it already acknowledged). */
    stopIntake: async () => {
      await inbound?.stop();
    },
    /** The Web API client holds no connection to release. */
    dispose: async () => undefined,
    isConnected: () => inbound?.isConnected() ?? true,
  };
}
