/** Starts the real app (real Redis, real BullMQ, real openai SDK) against a fake model for tests. */
import { loadCommands } from '../../commands/load-commands.ts';
import type { CommandDefinition } from '../../src/command-core/command-contract.ts';
import type { RegisteredStepKind } from '../../src/engine/step-kind.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { startApp, type RunningApp } from '../../src/app/start-app.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { ChatAdapter } from '../../src/adapter/chat-adapter.ts';
import { deleteKeys, testRedisUrl, uniqueName, testRedis } from './redis.ts';

export interface TestAppOptions {
  modelUrl: string;
  adapters: ChatAdapter[];
  prefix?: string;
  queueName?: string;
  env?: Record<string, string | number | boolean | undefined>;
  /** Commands and step kinds beyond the shipped ones (a test's own command). */
  extraCommands?: CommandDefinition[];
  extraSteps?: RegisteredStepKind[];
}

export async function startTestApp(options: TestAppOptions): Promise<RunningApp & { prefix: string; queueName: string }> {
  const prefix = options.prefix ?? uniqueName('tr');
  const queueName = options.queueName ?? uniqueName('q');
  const config = configFrom({
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: prefix,
    QUEUE_NAME: queueName,
    OPENAI_BASE_URL: options.modelUrl,
    OPENAI_API_KEY: 'test-key',
    MODEL_MAX_RETRIES: 1,
    MODEL_TIMEOUT_MS: 5_000,
    SHUTDOWN_GRACE_MS: 5_000,
    USER_COMMANDS_PER_MINUTE: 0,
    DATA_DIR: '/tmp/tableround-test-data',
    // The stand-ins (emulators, the fake model's image URLs) live on http://127.0.0.1.
    DOWNLOAD_ALLOW_HTTP: true,
    DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: true,
    ...options.env,
  });
  const app = await startApp({ config, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), adapters: options.adapters, commands: [...(await loadCommands()), ...(options.extraCommands ?? [])], ...(options.extraSteps ? { extraSteps: options.extraSteps } : {}) });
  return Object.assign(app, { prefix, queueName });
}

/** Waits until `check` is true, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function cleanupRedis(prefix: string): Promise<void> {
  const redis = testRedis();
  await deleteKeys(redis, `${prefix}:`);
  redis.disconnect();
}
