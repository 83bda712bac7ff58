// Probe: server CPU per request of a POST /timer-shaped route (JSON in, 201 JSON out) served by bare
// node:http, by Express as app.listen serves it, and by Express through common/http/express-server.ts.
// The load (64 keep-alive clients, 4 s) comes from a child process. BENCHMARKS.md has figures.
// usage: node --import tsx bench/probes/express-overhead.ts
import http from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Pool } from 'undici';
import { expressServer } from '../../common/http/express-server.js';
import { httpTimeouts } from '../../common/http/create-http-server.js';
import { loadConfig } from '../../common/process/config.js';

const CLIENTS = 64;
const SECONDS = 4;
const answer = (body: unknown) => ({ id: '01900000-0000-7000-8000-000000000000', time_left: 100, fire_at: new Date().toISOString(), state: 'scheduled', body });

if (process.argv[2] === 'load') {
  const pool = new Pool(`http://127.0.0.1:${process.argv[3]}`, { connections: CLIENTS });
  const body = JSON.stringify({ seconds: 100, url: 'http://127.0.0.1:9/hook' });
  let done = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const res = await pool.request({ method: 'POST', path: '/timer', headers: { 'content-type': 'application/json' }, body });
        await res.body.text();
        if (res.statusCode !== 201) throw new Error(`answered ${res.statusCode}`);
        done++;
      }
    }),
  );
  process.send!(done);
  await pool.close();
  process.exit(0);
}

function bare(): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = JSON.stringify(answer(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), location: '/timer/x' });
      res.end(text);
    });
  });
}

function app(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post('/timer', express.json(), (req, res) => {
    res.status(201).location('/timer/x').json(answer(req.body));
  });
  return app;
}

async function measure(name: string, server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const before = process.cpuUsage();
  const child = fork(fileURLToPath(import.meta.url), ['load', String(port)], { execArgv: ['--import', 'tsx'] });
  const done = await new Promise<number>((resolve, reject) => {
    child.once('message', (n) => resolve(n as number));
    child.once('exit', (code) => code !== 0 && reject(new Error(`load exited ${code}`)));
  });
  const cpu = process.cpuUsage(before);
  console.log(`${name.padEnd(34)} ${String(Math.round(done / SECONDS)).padStart(6)} req/s, server CPU ${((cpu.user + cpu.system) / done / 1000).toFixed(3)} ms per request`);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

for (let round = 1; round <= 2; round++) {
  await measure('node:http', bare());
  await measure('Express, app.listen', http.createServer(app()));
  await measure('Express, common/http/express-server.ts', expressServer(app(), httpTimeouts(loadConfig({}))));
}
