/**
 * A worker process for resilience tests: the real app with ROLE=worker, configured from the
 * environment like the bot, posting through SinkAdapter to SINK_URL. Tests kill it with SIGKILL.
 */
import { loadCommands } from '../../commands/load-commands.ts';
import { startApp } from '../../src/app/start-app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { SinkAdapter } from './sink-adapter.ts';

const config = loadConfig();
const app = await startApp({ config: { ...config, ROLE: 'worker' }, logger: createLogger(config.LOG_LEVEL), adapters: [new SinkAdapter(process.env.SINK_URL ?? '')], commands: await loadCommands() });
process.stdout.write('worker ready\n');
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
