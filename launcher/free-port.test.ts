import { createServer } from 'node:net';
import { freePort } from './free-port.js';

test('gives a port below the ephemeral range that can then be listened on', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThanOrEqual(20_000);
  expect(port).toBeLessThan(32_768);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  await new Promise((resolve) => server.close(resolve));
});
