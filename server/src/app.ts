import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import proxyaddr from 'proxy-addr';
import { Server } from 'socket.io';
import { NAMESPACE, type ClientToServerEvents, type ConnectErrorData, type ServerToClientEvents } from '../../src/protocol/index.js';
import { createTokenVerifier, type TokenVerifier } from './auth/tokens.js';
import type { Config } from './config.js';
import { demoCsp } from './demo/csp.js';
import { seedDemo } from './demo/seed.js';
import { connectRedis } from './scale/redis.js';
import { demoTokenRoute } from './demo/token.js';
import { adminRouter } from './http/admin.js';
import { createMetrics, type Metrics } from './metrics.js';
import { PageService } from './pages/service.js';
import { rooms } from './pages/rooms.js';
import { createHandlers } from './socket/handlers.js';
import { clientIp, handshake, originAllowed } from './socket/handshake.js';
import { createRateLimiter, retryMessage } from './socket/rate-limit.js';
import { armExpiry, disarmExpiry } from './socket/session.js';
import type { CareNamespace, SocketData } from './socket/types.js';
import { openStorage, type Storage } from './storage/index.js';
import { WebhookSender } from './webhook.js';

/** Bytes a single Socket.IO message may have: a 20,000-character journal body in 4-byte UTF-8, plus room. */
export const MAX_MESSAGE_BYTES = 128 * 1024;

export interface CareServer {
  http: HttpServer;
  io: Server;
  ns: CareNamespace;
  storage: Storage;
  service: PageService;
  metrics: Metrics;
  verifier: TokenVerifier;
  /** The HS256 secret in use (generated in demo mode when none is configured). */
  jwtSecret: string | null;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** Builds the whole reference backend: storage, sockets, REST, demo. Nothing listens yet. */
export async function createCareServer(config: Config): Promise<CareServer> {
  const jwtSecret = config.jwtSecret ?? (config.demo && !config.jwksUrl ? randomBytes(32).toString('hex') : null);
  const verifier = createTokenVerifier({ secret: jwtSecret, jwksUrl: config.jwksUrl });
  const storage = await openStorage(config.db, config.changeRetention);
  if (config.demo) await seedDemo(storage);
  const metrics = createMetrics();

  const app = express();
  app.disable('x-powered-by');
  // One list of trusted proxies for REST (req.ip) and the socket handshake (clientIp).
  const trustProxy = proxyaddr.compile(config.trustProxy);
  app.set('trust proxy', trustProxy);
  const http = createServer(app);
  // With REDIS_URL, events fan out across nodes and rate-limit counters are shared.
  const redis = config.redisUrl ? await connectRedis(config.redisUrl) : null;
  const limiter = createRateLimiter(config.rateLimits, redis ? { redis: { client: redis.pub } } : {});

  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(http, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    cors: { origin: config.allowedOrigins ?? true, credentials: false },
    // Runs once per new Engine.IO session (not per poll or upgrade), before any namespace: a
    // script that opens sessions and never connects is counted here, per IP (the same IP as
    // the handshake's), on the session budget. Refusals are Engine.IO's short JSON 403.
    allowRequest: (req, cb) => {
      if (!originAllowed(config.allowedOrigins, req.headers.origin)) return cb('This origin is not allowed.', false);
      limiter.session(clientIp(req, trustProxy)).then(
        (wait) => cb(wait === null ? null : retryMessage(wait), wait === null),
        () => cb(null, true),
      );
    },
    // A session that has not joined a namespace by then will not: close it instead of holding
    // it for Socket.IO's default 45 s.
    connectTimeout: config.connectTimeoutMs,
    serveClient: false,
  });
  if (redis) io.adapter(redis.adapter);
  // Only /care serves anyone. Socket.IO's root namespace exists and accepts every connect
  // unless told otherwise; unknown namespaces Socket.IO refuses itself ("Invalid namespace").
  io.of('/').use((_socket, next) => {
    const err = new Error(`This server only serves the ${NAMESPACE} namespace.`) as Error & { data: ConnectErrorData };
    err.data = { code: 'invalid' };
    next(err);
  });
  const ns: CareNamespace = io.of(NAMESPACE);
  const webhook = config.webhookUrl ? new WebhookSender(storage, { url: config.webhookUrl, secret: config.webhookSecret ?? '', delivery: config.webhookDelivery, metrics }) : null;
  const service = new PageService(storage, ns, webhook);

  const wire = createHandlers(service, verifier, metrics, limiter);
  ns.use(handshake(verifier, metrics, trustProxy, limiter));
  ns.on('connection', (socket) => {
    metrics.sockets.inc();
    if (socket.data.identity) void socket.join(rooms.user(socket.data.identity.userId));
    armExpiry(socket);
    wire(socket);
    socket.on('disconnect', () => {
      metrics.sockets.dec();
      disarmExpiry(socket);
    });
  });

  app.use((req, res, next) => {
    if (!originAllowed(config.allowedOrigins, req.get('origin'))) {
      res.status(403).json({ error: { code: 'forbidden', message: 'This origin is not allowed.' } });
      return;
    }
    next();
  });
  app.get('/healthz', async (_req, res) => {
    try {
      await storage.ping();
      res.json({ ok: true });
    } catch {
      res.status(503).json({ ok: false });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use('/api', adminRouter(service, verifier));
  // The bundle is public code: any site may load it, with Subresource Integrity (`crossorigin`).
  if (config.distDir) app.use('/dist', express.static(config.distDir, { fallthrough: false, setHeaders: (res) => res.set('Access-Control-Allow-Origin', '*') }));
  if (config.demo && config.demoDir) {
    app.use('/demo', demoCsp);
    app.get('/demo/token', demoTokenRoute(jwtSecret!));
    app.use('/demo', express.static(config.demoDir));
    // The API reference generated from custom-elements.json by the build.
    if (config.distDir) app.use('/docs', demoCsp, express.static(`${config.distDir}/docs`));
    app.get('/', (_req, res) => res.redirect('/demo/'));
  }

  return {
    http,
    io,
    ns,
    storage,
    service,
    metrics,
    verifier,
    jwtSecret,
    listen(port = config.port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          const { port: actual } = http.address() as AddressInfo;
          resolve(`http://${host === '0.0.0.0' ? 'localhost' : host}:${actual}`);
        });
      });
    },
    async close() {
      await webhook?.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await redis?.close();
      await storage.close();
    },
  };
}
