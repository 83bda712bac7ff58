// Probe: what one durable step of a task costs on this machine, one at a time: a single-row insert
// committed with synchronous_commit on and off, and a broker confirm of a small persistent publish to
// a durable classic queue (consumed at once). p50/p99 in ms.
// usage: node --import tsx bench/probes/commit-cost.ts
import amqplib from 'amqplib';
import pg from 'pg';
import { AMQP_URL, POSTGRES_URL } from '../systems/system.js';

const N = 300;
const stats = (ms: number[]) => {
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(ms.length * q))]!.toFixed(2);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`;
};
async function time(step: () => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < N; i++) {
    const started = performance.now();
    await step();
    ms.push(performance.now() - started);
  }
  return stats(ms);
}

const client = new pg.Client({ connectionString: POSTGRES_URL });
await client.connect();
const table = `probe_commit_${process.pid}`;
await client.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, v text)`);
try {
  console.log(`insert, synchronous_commit on:  ${await time(() => client.query(`INSERT INTO ${table} (v) VALUES ($1)`, ['x']))}`);
  await client.query('SET synchronous_commit = off');
  console.log(`insert, synchronous_commit off: ${await time(() => client.query(`INSERT INTO ${table} (v) VALUES ($1)`, ['x']))}`);
  console.log(`select by key:                  ${await time(() => client.query(`SELECT * FROM ${table} WHERE id = $1`, [1]))}`);
} finally {
  await client.query(`DROP TABLE ${table}`);
  await client.end();
}

const connection = await amqplib.connect(AMQP_URL, { noDelay: true });
const channel = await connection.createConfirmChannel();
const queue = `probe_commit_${process.pid}`;
await channel.assertQueue(queue, { durable: true });
const drain = await connection.createChannel();
await drain.consume(queue, (message) => message && drain.ack(message));
const body = Buffer.from(JSON.stringify({ id: '0190c0de-0000-7000-8000-000000000000' }));
const publish = (persistent: boolean) => new Promise<void>((resolve, reject) => channel.publish('', queue, body, { persistent }, (err) => (err ? reject(err) : resolve())));
console.log(`persistent publish confirm:     ${await time(() => publish(true))}`);
console.log(`transient publish confirm:      ${await time(() => publish(false))}`);
await channel.deleteQueue(queue);
await connection.close();
