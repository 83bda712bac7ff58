// Probe: how long a broker confirm of a persistent publish to a durable classic queue takes, by
// message size and publishes in flight, with and without TCP_NODELAY on the connection (amqplib's
// default leaves Nagle's algorithm on). A consumer keeps the queue short. BENCHMARKS.md has figures.
// usage: node --import tsx bench/probes/amqp-confirm-latency.ts [--nagle]
import amqplib from 'amqplib';
import { AMQP_URL } from '../systems/system.js';

const nagle = process.argv.includes('--nagle');
const SECONDS = 2;
const connection = await amqplib.connect(AMQP_URL, { noDelay: !nagle });
const channel = await connection.createConfirmChannel();
const queue = `probe_confirm_${process.pid}`;
await channel.assertQueue(queue, { durable: true });
const drain = await connection.createChannel();
await drain.prefetch(1_000);
await drain.consume(queue, (message) => message && drain.ack(message));

const publish = (body: Buffer) => new Promise<void>((resolve, reject) => channel.publish('', queue, body, { persistent: true }, (err) => (err ? reject(err) : resolve())));

console.log(`TCP_NODELAY ${nagle ? 'off (Nagle on, amqplib default)' : 'on'}`);
for (const size of [300, 3_000, 30_000]) {
  for (const inFlight of [1, 2, 8, 32]) {
    const body = Buffer.alloc(size, 'x');
    const latencies: number[] = [];
    const until = performance.now() + SECONDS * 1000;
    const publisher = async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await publish(body);
        latencies.push(performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, publisher));
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!.toFixed(1);
    console.log(
      `${String(size).padStart(6)} bytes, ${String(inFlight).padStart(2)} in flight: ${String(Math.round(latencies.length / SECONDS)).padStart(6)} msg/s, confirm p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
    );
  }
}
await channel.deleteQueue(queue);
await connection.close();
