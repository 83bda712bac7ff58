// The anchors' thin create endpoint: POST /timer with the seed-001 body {seconds, url} answers
// 201 {id, time_left, fire_at} once the job is stored, like the timer service's own API.
import http from 'node:http';

export type CreateJob = (seconds: number, url: string) => Promise<{ id: string; fireAt: number }>;

const MAX_SECONDS = 365 * 24 * 3600;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function serveCreate(port: number, create: CreateJob): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/timer') return send(res, 404, { error: 'not_found' });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: { seconds?: unknown; url?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return send(res, 400, { error: 'invalid_json' });
      }
      const { seconds, url } = body;
      if (!Number.isInteger(seconds) || (seconds as number) < 0 || (seconds as number) > MAX_SECONDS || typeof url !== 'string') {
        return send(res, 422, { error: 'validation_failed' });
      }
      create(seconds as number, url).then(
        ({ id, fireAt }) => send(res, 201, { id, time_left: seconds, fire_at: new Date(fireAt).toISOString() }),
        (err: Error) => send(res, 503, { error: 'unavailable', message: err.message }),
      );
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
