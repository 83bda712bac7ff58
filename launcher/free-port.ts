// A port nothing listens on right now, for stacks that must not collide (tests, the chaos run). Picked
// below Linux's ephemeral range (32768-60999): a port handed out by listen(0) comes from that range,
// where any outgoing connection (to PostgreSQL, RabbitMQ, ...) may take it before the process it was
// chosen for binds it.
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_767;
const TRIES = 50;

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    // On every address, as the processes bind (a port free on 127.0.0.1 alone may be taken on ::).
    server.listen(port, () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < TRIES; i++) {
    const port = await tryListen(LOW + Math.floor(Math.random() * (HIGH - LOW + 1)));
    if (port !== null) return port;
  }
  const any = await tryListen(0);
  if (any === null) throw new Error('no free port');
  return any;
}
