// Integration: incoming_logs -> log_records through the real consumer handler, RabbitMQ and PostgreSQL.
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import type { AmqpClient } from '../common/broker/amqp.js';
import { encodeLogMessage, type IncomingLog } from '../common/messages/log-message.js';
import { newTimerId } from '../common/messages/timer-id.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { connectTestBroker, deleteTopology, nextMessage } from '../test/helpers/broker.js';
import { silentLogger } from '../test/helpers/logger.js';
import { incomingLogHandler } from './consume-logs.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { storeLogRecords } from './persist-log-records.js';

let dbs: TestDatabases;
let amqp: AmqpClient;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
  amqp = await connectTestBroker();
  const handler = incomingLogHandler(dbs.main, 50, deadLetterer(amqp, silentLogger()), silentLogger());
  await amqp.consume(amqp.names.incomingLogs, 200, handler.handle);
});

afterEach(async () => {
  await amqp.close();
  await deleteTopology(amqp.names);
  await dbs.drop();
});

const log = (i: number): IncomingLog => ({ id: newTimerId(), created: Date.now(), ip: '::1', method: 'GET', uri: `/c/${i}`, status_code: 200 });
const publish = (record: IncomingLog) => amqp.publish(amqp.names.incomingLogs, encodeLogMessage(record), { messageId: record.id });

async function rowsOnceThere(count: number): Promise<Array<{ id: string; uri: string; created: Date }>> {
  for (;;) {
    const result = await dbs.main.query<{ id: string; uri: string; created: Date }>('SELECT id, uri, created FROM log_records ORDER BY xid, seq');
    if (result.rows.length >= count) return result.rows;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('published records are stored in batches with their fields; a redelivered one is stored once', async () => {
  const records = Array.from({ length: 300 }, (_, i) => log(i));
  await Promise.all(records.map(publish));
  const rows = await rowsOnceThere(300);
  expect(new Set(rows.map((r) => r.id))).toEqual(new Set(records.map((r) => r.id)));
  // A redelivered batch: stored (acked) again, written once.
  expect(await storeLogRecords(dbs.main, records.slice(5, 10))).toEqual(Array(5).fill({ stored: true }));
  expect(await rowsOnceThere(300)).toHaveLength(300);
  const first = rows.find((r) => r.id === records[0]!.id)!;
  expect(first.uri).toBe('/c/0');
  expect(first.created.getTime()).toBe(records[0]!.created);
});

test('a message whose fields do not make a valid line is dead-lettered, never stored', async () => {
  const bad = { ...log(1), uri: '/a b' };
  await amqp.publish(amqp.names.incomingLogs, Buffer.from(JSON.stringify(bad)), { messageId: bad.id });
  const good = log(2);
  await publish(good);
  const dead = await nextMessage(amqp.names.incomingLogsDead);
  expect(JSON.parse(dead.body)).toMatchObject({ id: bad.id });
  expect((await rowsOnceThere(1)).map((r) => r.id)).toEqual([good.id]);
});
