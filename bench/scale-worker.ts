/**
 * One worker process of the scale-out bench: the engine rig (instant model and adapter, the real
 * step machine, Redis and BullMQ) running steps of the queue it is given, until SIGTERM.
 * Configured by the coordinator through BENCH_SCALE (JSON: target, prefix, queue, concurrency).
 */
import { buildEngineRig } from './engine-rig.ts';
import type { RedisTarget } from '../src/store/redis-connection.ts';

const { target, prefix, queueName, concurrency } = JSON.parse(process.env.BENCH_SCALE ?? '{}') as { target: RedisTarget; prefix: string; queueName: string; concurrency: number };
const rig = await buildEngineRig({ redisUrl: target.kind === 'single' ? target.url : '', redisTarget: target, prefix, queueName, env: { WORKER_CONCURRENCY: concurrency } });
rig.startWorker(concurrency);
process.stdout.write('worker ready\n');
process.once('SIGTERM', () => {
  // The coordinator reads this process's CPU time (ms) from the last line.
  const cpu = process.cpuUsage();
  process.stdout.write(`cpu ${JSON.stringify({ userMs: cpu.user / 1000, systemMs: cpu.system / 1000 })}\n`);
  void rig.stop().then(() => process.exit(0));
});
