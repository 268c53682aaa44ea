import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';

/**
 * The Redis connections of a node that runs with `REDIS_URL`: one to publish, one to
 * subscribe (Redis needs a dedicated connection for subscriptions). The Socket.IO adapter
 * uses both to fan events out across nodes, and `fetchSockets()` (used to revoke access) to
 * reach sockets on every node; the rate limiter shares its counters through `pub`.
 */
export interface RedisLink {
  pub: Redis;
  sub: Redis;
  adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

export async function connectRedis(url: string): Promise<RedisLink> {
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  return {
    pub,
    sub,
    // `requestsTimeout` bounds how long a cross-node `fetchSockets()` waits for a node that died.
    adapter: createAdapter(pub, sub, { key: 'care', requestsTimeout: 3_000 }),
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
