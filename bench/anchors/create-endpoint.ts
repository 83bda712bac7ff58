// The anchors' thin create endpoint: POST /timer with the plain body {seconds, url} answers
// 201 {id, time_left, fire_at} once the job is stored, like the timer service's own API; POST /timers
// with {timers: [{seconds, url}, ...]} stores them with the library's own bulk call and answers
// 200 {accepted, refused, results} like the timer service's batch route.
import http from 'node:http';

export type CreateJob = (seconds: number, url: string) => Promise<{ id: string; fireAt: number }>;
export type CreateJobs = (timers: Array<{ seconds: number; url: string }>) => Promise<Array<{ id: string; fireAt: number }>>;
const MAX_BATCH = 1_000;

const MAX_SECONDS = 365 * 24 * 3600;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const isTimer = (value: unknown): value is { seconds: number; url: string } => {
  const { seconds, url } = (value ?? {}) as { seconds?: unknown; url?: unknown };
  return Number.isInteger(seconds) && (seconds as number) >= 0 && (seconds as number) <= MAX_SECONDS && typeof url === 'string';
};

function createOne(res: http.ServerResponse, body: unknown, create: CreateJob): void {
  if (!isTimer(body)) return send(res, 422, { error: 'validation_failed' });
  create(body.seconds, body.url).then(
    ({ id, fireAt }) => send(res, 201, { id, time_left: body.seconds, fire_at: new Date(fireAt).toISOString() }),
    (err: Error) => send(res, 503, { error: 'unavailable', message: err.message }),
  );
}

function createMany(res: http.ServerResponse, body: unknown, createBulk: CreateJobs): void {
  const timers = (body as { timers?: unknown } | null)?.timers;
  if (!Array.isArray(timers) || timers.length === 0 || timers.length > MAX_BATCH || !timers.every(isTimer)) {
    return send(res, 422, { error: 'validation_failed' });
  }
  createBulk(timers).then(
    (jobs) => {
      const results = jobs.map(({ id, fireAt }) => ({ status: 201, id, fire_at: new Date(fireAt).toISOString() }));
      send(res, 200, { accepted: results.length, refused: 0, results });
    },
    (err: Error) => send(res, 503, { error: 'unavailable', message: err.message }),
  );
}

export async function serveCreate(port: number, create: CreateJob, createBulk: CreateJobs): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const route = req.method === 'POST' ? req.url : undefined;
    if (route !== '/timer' && route !== '/timers') return send(res, 404, { error: 'not_found' });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, 400, { error: 'invalid_json' });
      }
      if (route === '/timer') createOne(res, body, create);
      else createMany(res, body, createBulk);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.maxRequestsPerSocket = 0;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

export function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
