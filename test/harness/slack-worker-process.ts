/**
 * A worker process for the crash tests: the real app with ROLE=worker and the real Slack adapter
 * (outbound only), configured from the environment like the bot. Tests kill it with SIGKILL.
 */
import { loadCommands } from '../../commands/load-commands.ts';
import { startApp } from '../../src/app/start-app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createSlackAdapter } from '../../adapters/slack/index.ts';

const config = loadConfig();
const app = await startApp({ config: { ...config, ROLE: 'worker' }, logger: createLogger(config.LOG_LEVEL), platformFactories: { slack: createSlackAdapter }, commands: await loadCommands() });
process.stdout.write('worker ready\n');
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
