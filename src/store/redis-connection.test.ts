import { describe, expect, it } from 'vitest';
import { configFrom } from '../config/load-config.ts';
import { describeTarget, redisTargetFrom } from './redis-connection.ts';

describe('the Redis the configuration names', () => {
  it('is REDIS_URL as one node', () => {
    expect(redisTargetFrom(configFrom({ REDIS_URL: 'redis://127.0.0.1:6400' }), 'redis://127.0.0.1:6400')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6400' });
  });

  it('is a cluster from REDIS_CLUSTER_NODES, host:port or URL forms, credentials and TLS from the first', () => {
    const target = redisTargetFrom(configFrom({ REDIS_CLUSTER_NODES: 'rediss://app:s%23cret@10.0.0.1:7000, 10.0.0.2:7001,10.0.0.3' }));
    expect(target).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '10.0.0.3', port: 6379 },
      ],
      username: 'app',
      password: 's#cret',
      tls: true,
    });
    expect(describeTarget(target)).toBe('cluster 10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:6379');
    expect(redisTargetFrom(configFrom({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_PASSWORD: 'pw' }))).toMatchObject({ password: 'pw', tls: false });
  });

  it('is a master through Sentinel from REDIS_SENTINELS and REDIS_SENTINEL_MASTER', () => {
    const target = redisTargetFrom(configFrom({ REDIS_SENTINELS: 's1:26379,s2', REDIS_SENTINEL_MASTER: 'tableround', REDIS_PASSWORD: 'pw', REDIS_SENTINEL_PASSWORD: 'spw' }));
    expect(target).toEqual({ kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], master: 'tableround', password: 'pw', sentinelPassword: 'spw', tls: false });
    expect(describeTarget(target)).toBe('sentinel master "tableround" via s1:26379,s2:26379');
  });

  it('never shows a password in its description', () => {
    expect(describeTarget({ kind: 'single', url: 'redis://:hunter2@cache:6379' })).toBe('redis://…@cache:6379');
  });

  it('refuses a node that is not host:port or a redis URL, and more than one kind of Redis at once', () => {
    expect(() => redisTargetFrom(configFrom({ REDIS_CLUSTER_NODES: 'http://10.0.0.1:7000' }))).toThrow(/not a Redis node/);
    expect(() => configFrom({ REDIS_URL: 'redis://a:1', REDIS_SENTINELS: 's1' })).toThrow(/set one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS/);
  });
});
