// Probe: client CPU per webhook (a keep-alive POST of {"id"}, 256 in flight, 30,000 each) with undici's
// request() and an AbortSignal (the trigger before), request() without a signal, dispatch() with a
// handler (the trigger now, trigger/deliver-webhook.ts), and node:http with a keep-alive agent (the
// anchors' workers). The receiver runs in a child process. BENCHMARKS.md has figures.
// usage: node --import tsx bench/probes/webhook-client-cost.ts
import http from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AddressPolicy, LOOPBACK_CIDRS } from '../../common/webhooks/callback-address.js';
import { Agent, request } from 'undici';
import { createAgents, deliverWebhook } from '../../trigger/deliver-webhook.js';

if (process.argv[2] === 'receiver') {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok'));
  });
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as { port: number }).port));
} else {
  const receiver = fork(fileURLToPath(import.meta.url), ['receiver'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => receiver.once('message', (m) => resolve(m as number)));
  const url = `http://127.0.0.1:${port}/hook`;
  const body = '{"id":"01900000-0000-7000-8000-000000000000"}';
  const headers = { 'content-type': 'application/json', 'user-agent': 'probe', 'idempotency-key': 'k', 'x-timer-id': 'k' };
  const agent = new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 4_000 });
  const agents = createAgents(256, new AddressPolicy(LOOPBACK_CIDRS));
  const nodeAgent = new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });
  const ways: Record<string, () => Promise<unknown>> = {
    'undici request() + AbortSignal': async () => {
      const controller = new AbortController();
      const timeout = setTimeout(() => controller.abort(), 10_000);
      const res = await request(url, { method: 'POST', body, headers, dispatcher: agent, signal: controller.signal });
      await res.body.dump({ limit: 65_536 });
      clearTimeout(timeout);
    },
    'undici request(), no signal': async () => {
      const res = await request(url, { method: 'POST', body, headers, dispatcher: agent });
      await res.body.dump({ limit: 65_536 });
    },
    'deliverWebhook (undici dispatch())': async () => {
      const result = await deliverWebhook({ url, method: 'POST', headers: {}, body }, 'k', agents, 10_000);
      if (!result.delivered) throw new Error(result.error ?? 'not delivered');
    },
    'node:http keep-alive agent': () =>
      new Promise<void>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent: nodeAgent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(body);
      }),
  };
  for (let round = 1; round <= 2; round++) {
    for (const [name, send] of Object.entries(ways)) {
      const count = 30_000;
      let started = 0;
      const before = process.cpuUsage();
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 256 }, async () => {
          while (started++ < count) await send();
        }),
      );
      const cpu = process.cpuUsage(before);
      console.log(
        `${name.padEnd(36)} ${String(Math.round(count / ((performance.now() - t0) / 1000))).padStart(6)}/s, client CPU ${((cpu.user + cpu.system) / count / 1000).toFixed(3)} ms per webhook`,
      );
    }
  }
  receiver.kill();
  process.exit(0);
}
