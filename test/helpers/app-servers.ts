// Express apps of a test file listening on loopback ports, all closed at the end.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import amqplib from 'amqplib';
import { AMQP_URL } from './broker.js';
import { expressServer } from '../../common/http/express-server.js';
import { httpTimeouts } from '../../common/http/create-http-server.js';
import { loadConfig } from '../../common/process/config.js';

export class AppServers {
  private readonly servers: Server[] = [];

  /** Listens on a free loopback port; resolves with the base URL. */
  async listen(app: Express): Promise<string> {
    // As the processes serve them (common/http/express-server.ts).
    const server = expressServer(app, httpTimeouts(loadConfig({}))).listen(0, '127.0.0.1');
    this.servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async closeAll(): Promise<void> {
    for (const server of this.servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
}

/** Takes the next message of a queue (basic.get, no ack needed), waiting while the queue is empty. */
export async function takeMessage(queue: string): Promise<Buffer> {
  const connection = await amqplib.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (message) return message.content;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await connection.close();
  }
}
