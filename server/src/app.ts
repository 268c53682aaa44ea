import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import proxyaddr from 'proxy-addr';
import { Server } from 'socket.io';
import { VERSION } from '../../src/version.js';
import { NAMESPACE, type ClientToServerEvents, type ConnectErrorData, type ErrorCode, type ServerToClientEvents } from '../../src/protocol/index.js';
import { createTokenVerifier, type TokenVerifier } from './auth/tokens.js';
import type { Config } from './config.js';
import { demoCsp } from './demo/csp.js';
import { demoSecret } from './demo/secret.js';
import { HTTP_STATUS } from './errors.js';
import { seedDemo } from './demo/seed.js';
import { seedDemoSocial } from './demo/social-seed.js';
import { connectRedis } from './scale/redis.js';
import { demoTokenRoute } from './demo/token.js';
import { adminRouter } from './http/admin.js';
import { distRoute } from './http/dist.js';
import { createMetrics, type Metrics } from './metrics.js';
import { channelAvailability } from './notify/availability.js';
import { notifyRouter } from './notify/http.js';
import { NotifyLinks } from './notify/links.js';
import { demoMailbox } from './notify/mailbox.js';
import { PageService } from './pages/service.js';
import { rooms } from './pages/rooms.js';
import { createHandlers } from './socket/handlers.js';
import { clientIp, handshake, originAllowed } from './socket/handshake.js';
import { createRateLimiter, retryMessage } from './socket/rate-limit.js';
import { armExpiry, disarmExpiry } from './socket/session.js';
import type { CareNamespace, CareSocket, SocketData } from './socket/types.js';
import { openStorage, type Storage } from './storage/index.js';
import { createJobRunner, notifyChannels } from './jobs/channels.js';
import type { JobRunner } from './jobs/runner.js';
import type { NotifySettings } from './notify/contract.js';
import { defaultNotifySettings, deriveLinkSecret } from './notify/settings.js';
import { DatabaseBlobs, FileBlobs } from './media/blobs.js';
import { MediaFanout } from './media/fanout.js';
import { mediaServeRoute, mediaUploadRouter } from './media/http.js';
import { icsRouter } from './planner/ics-http.js';
import { MediaService } from './media/service.js';
import { defaultMediaSettings, mediaKey } from './media/settings.js';
import { MediaSigner } from './media/signing.js';

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
  /** The job queue's worker on this node (notifications: webhook, email, push, digests). */
  jobs: JobRunner;
  /** The notification settings in effect (`linkSecret` filled in). */
  notify: NotifySettings;
  /** Photos (SPEC 6.3); `null` without the `media` feature. */
  media: MediaService | null;
  /** The HS256 secret in use (in demo mode without one configured, demo/secret.ts's). */
  jwtSecret: string | null;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** Builds the whole reference backend: storage, sockets, REST, demo. Nothing listens yet. */
export async function createCareServer(config: Config): Promise<CareServer> {
  // Demo mode only: a secret kept beside the SQLite file, so tokens survive a restart.
  const jwtSecret = config.jwtSecret ?? (config.demo && !config.jwksUrl ? demoSecret(config.db) : null);
  const verifier = createTokenVerifier({ secret: jwtSecret, jwksUrl: config.jwksUrl, maxTtlSeconds: config.maxTokenTtl });
  const configured = config.notify ?? defaultNotifySettings(config.port);
  const notify: NotifySettings = { ...configured, linkSecret: configured.linkSecret || (jwtSecret ? deriveLinkSecret(jwtSecret) : '') };
  // Signed links need a secret: none (no JWT secret, no CARE_NOTIFY_SECRET) means no email links at all.
  const links = notify.linkSecret ? new NotifyLinks(notify) : null;
  const mailbox = config.demo && !notify.smtpUrl ? demoMailbox() : null;
  const storage = await openStorage(config.db, config.changeRetention);
  // Each channel checks its settings as it is built (the webhook's URL and secret, the VAPID keys).
  const channels = notifyChannels(config, notify, { links, subscriptions: storage, mailbox: mailbox?.transport ?? null }, config.channels);
  const demoSeeded = config.demo ? await seedDemo(storage) : false;
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
  // On every HTTP response, the Engine.IO transport's included: it answers requests before
  // Express sees them, so an Express middleware would miss it. `prependListener` runs ahead of
  // the listener Socket.IO installed, and `writeHead` keeps headers set here.
  http.prependListener('request', (_req, res) => res.setHeader('X-Content-Type-Options', 'nosniff'));
  if (redis) io.adapter(redis.adapter);
  // Only /care serves anyone. Socket.IO's root namespace exists and accepts every connect
  // unless told otherwise; unknown namespaces Socket.IO refuses itself ("Invalid namespace").
  io.of('/').use((_socket, next) => {
    const err = new Error(`This server only serves the ${NAMESPACE} namespace.`) as Error & { data: ConnectErrorData };
    err.data = { code: 'invalid' };
    next(err);
  });
  const ns: CareNamespace = io.of(NAMESPACE);
  const jobs = createJobRunner(storage, config, notify, channels, metrics);
  const service = new PageService(storage, ns, jobs, {
    requestCooldownHours: config.requestCooldownHours,
    auditReadWindowSeconds: config.auditReadWindowSeconds,
    features: config.features,
    // SPEC 6.4: the planner's dates are the hospital's (CARE_TIMEZONE), on the queue's clock.
    timeZone: notify.timezone,
    clock: config.clock,
  });

  // SPEC 6.3 photos: bytes in the database unless CARE_MEDIA_DIR names a directory.
  let media: MediaService | null = null;
  if (service.has('media')) {
    const settings = config.media ?? defaultMediaSettings();
    const db = storage.media.db;
    const blobs = settings.dir ? new FileBlobs(settings.dir, db) : new DatabaseBlobs(db);
    const signer = new MediaSigner(mediaKey(settings, jwtSecret), settings.urlTtlSeconds, settings.baseUrl);
    media = new MediaService(storage, storage.media, blobs, signer, settings);
    service.useMedia(media, new MediaFanout(ns, storage, media));
    media.startSweeping();
  }
  // The demo's photo, hearts and comments go through the services, once with the demo pages.
  if (demoSeeded) await seedDemoSocial(service, media);

  const wire = createHandlers(service, verifier, metrics, limiter, channelAvailability(channels, notify));
  ns.use(handshake(verifier, metrics, trustProxy, limiter));
  // Shared by every socket rather than a closure per connection (memory per socket, BENCHMARKS.md).
  const expire = (s: CareSocket) => void service.presence.expire(s);
  const disconnected = function (this: CareSocket) {
    metrics.sockets.dec();
    disarmExpiry(this);
  };
  ns.on('connection', (socket) => {
    metrics.sockets.inc();
    if (socket.data.identity) void socket.join(rooms.user(socket.data.identity.userId));
    armExpiry(socket, expire);
    wire(socket);
    socket.on('disconnect', disconnected);
  });

  // Public, answered to any origin: the bundle is public code any site may load, with
  // Subresource Integrity (http/dist.ts: compressed, versioned URLs), and a health check
  // reveals nothing.
  app.get('/healthz', async (_req, res) => {
    try {
      await storage.ping();
      res.json({ ok: true });
    } catch {
      res.status(503).json({ ok: false });
    }
  });
  if (config.distDir) app.use('/dist', distRoute(config.distDir, VERSION));
  // Links in emails: answered to any origin (a mail app's one-click POST has none; the
  // confirmation form's is this backend). The tokens are sealed (notify/links.ts).
  if (links) app.use(notifyRouter(links, storage));
  // Signed image URLs, answered to any origin: an <img> on the hospital's site sends no token;
  // the signature (and the viewer's access, checked on each request) decides (media/http.ts).
  if (media) app.get('/media/:pageId/:mediaId/:variant', mediaServeRoute(media));
  // Everything else (API, metrics, demo) only for the allowed origins.
  app.use((req, res, next) => {
    if (!originAllowed(config.allowedOrigins, req.get('origin'))) {
      res.status(403).json({ error: { code: 'forbidden', message: 'This origin is not allowed.' } });
      return;
    }
    next();
  });
  app.get('/metrics', async (req, res) => {
    if (!metricsAllowed(config.metricsToken, req.get('authorization'))) {
      res.set('WWW-Authenticate', 'Bearer').status(401).json({ error: { code: 'unauthorized', message: 'Send Authorization: Bearer <CARE_METRICS_TOKEN>.' } });
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  if (media) app.use('/api', mediaUploadRouter(service, media, verifier, config.allowedOrigins));
  // SPEC 6.4: a task's .ics file (before the admin API, which answers every other /api path).
  if (service.planner) {
    const pageLink = (pageId: string) => (links ? links.open(pageId) : notify.pageUrl.replaceAll('{pageId}', encodeURIComponent(pageId)));
    app.use('/api', icsRouter(service, verifier, { timeZone: notify.timezone, host: new URL(notify.publicUrl).hostname, link: pageLink, allowedOrigins: config.allowedOrigins }));
  }
  app.use('/api', adminRouter(service, verifier));
  if (config.demo && config.demoDir) {
    app.use('/demo', demoCsp);
    app.get('/demo/token', demoTokenRoute(jwtSecret!));
    if (mailbox) app.use(mailbox.router);
    app.use('/demo', express.static(config.demoDir));
    // The API reference generated from custom-elements.json by the build.
    if (config.distDir) app.use('/docs', demoCsp, express.static(`${config.distDir}/docs`));
    app.get('/', (_req, res) => res.redirect('/demo/'));
  }
  app.use(notFound);
  app.use(httpError);

  return {
    http,
    io,
    ns,
    storage,
    service,
    metrics,
    verifier,
    jobs,
    notify,
    media,
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
      media?.stop();
      await jobs.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await redis?.close();
      await storage.close();
    },
  };
}

/** `CARE_METRICS_TOKEN`: unset, `/metrics` is open; set, only `Authorization: Bearer <it>`. */
function metricsAllowed(token: string | null, header: string | undefined): boolean {
  if (token === null) return true;
  const presented = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
  if (presented === undefined) return false;
  // Compared as SHA-256 digests: equal lengths, so `timingSafeEqual` applies and the time taken
  // says nothing about how much of the token was right (nor its length).
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

const CODE_OF_STATUS = new Map(Object.entries(HTTP_STATUS).map(([code, status]) => [status, code as ErrorCode]));
const GENERIC_MESSAGE: Record<ErrorCode, string> = {
  unauthorized: 'Not authorized.',
  forbidden: 'Forbidden.',
  not_found: 'Not found.',
  invalid: 'Bad request.',
  too_large: 'The request is too large.',
  rate_limited: 'Too many requests.',
  conflict: 'Conflict.',
  unavailable: 'The server could not complete the request.',
};

function notFound(_req: Request, res: Response): void {
  res.status(404).json({ error: { code: 'not_found', message: GENERIC_MESSAGE.not_found } });
}

/**
 * The last error handler of the app, so Express's own never runs: that one answers an HTML page
 * with the stack trace and absolute file paths unless NODE_ENV is production. Answers the error's
 * own 4xx status (a missing file, a malformed URL encoding) or 500, with a fixed message: the
 * error's message may name a path. Server errors are logged here instead.
 */
function httpError(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const e = err as { status?: unknown; statusCode?: unknown };
  const claimed = typeof e.status === 'number' ? e.status : e.statusCode;
  const status = typeof claimed === 'number' && Number.isInteger(claimed) && claimed >= 400 && claimed < 500 ? claimed : 500;
  if (status === 500) console.error('[care] HTTP error:', err);
  // Too late for an answer of our own: Express's handler then only closes the connection.
  if (res.headersSent) return next(err);
  const code = CODE_OF_STATUS.get(status) ?? (status === 500 ? 'unavailable' : 'invalid');
  res.status(status).json({ error: { code, message: GENERIC_MESSAGE[code] } });
}
