// expressServer: the app's routes answer as under app.listen, with requests and responses that are
// already of the app's prototypes when Express receives them.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { expressServer } from './express-server.js';
import { httpTimeouts } from './create-http-server.js';
import { loadConfig } from '../process/config.js';

test("serves an Express app whose requests and responses already have the app's prototypes", async () => {
  const app = express();
  const seen: Array<{ request: boolean; response: boolean }> = [];
  app.post('/echo/:name', express.json(), (req, res) => {
    res
      .status(201)
      .set('x-app', String(req.app === app))
      .json({ name: req.params.name, body: req.body, type: req.get('content-type') });
  });
  const server = expressServer(app, httpTimeouts(loadConfig({})));
  // Before Express sees them: the objects Node's server made.
  server.prependListener('request', (req, res) => {
    seen.push({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    for (const n of [1, 2]) {
      const answer = await fetch(`http://127.0.0.1:${port}/echo/n${n}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
      expect({ status: answer.status, app: answer.headers.get('x-app'), body: await answer.json() }).toEqual({
        status: 201,
        app: 'true',
        body: { name: `n${n}`, body: { n }, type: 'application/json' },
      });
    }
    const missing = await fetch(`http://127.0.0.1:${port}/nothing`);
    expect(missing.status).toBe(404);
    expect(seen).toEqual([1, 2, 3].map(() => ({ request: true, response: true })));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
