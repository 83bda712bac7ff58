// The RabbitMQ connection of a process: reconnects by itself (amqplib's opt-in recovery), re-declares
// the topology and re-opens every consumer after each reconnect, and publishes on a confirm channel.
import amqplib, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import type { Logger } from '../observability/logger.js';
import { declareTopology } from './topology.js';
import type { QueueNames } from './queue-names.js';
import { DependencyUnavailableError } from '../errors/dependency-unavailable.js';

export type MessageHandler = (message: ConsumeMessage, channel: Channel) => void;

interface ConsumerSpec {
  queue: string;
  prefetch: number;
  handler: MessageHandler;
  channel: Channel | null;
  tag: string | null;
}

type RecoveringConnection = Awaited<ReturnType<typeof amqplib.connect>> & {
  waitForConnect(): Promise<void>;
  close(): Promise<void>;
};

// A channel that closes under a live connection (a protocol error) is opened again after this pause.
const CHANNEL_REOPEN_DELAY_MS = 500;

export class AmqpClient {
  private connection: RecoveringConnection | null = null;
  private model: ChannelModel | null = null;
  private publishChannel: ConfirmChannel | null = null;
  private readonly consumers: ConsumerSpec[] = [];
  private stopping = false;
  private connectWaiters: Array<() => void> = [];
  private publishChannelSetup: ((channel: ConfirmChannel) => Promise<void>) | null = null;

  constructor(
    private readonly url: string,
    readonly names: QueueNames,
    private readonly log: Logger,
    private readonly publishTimeoutMs = 5_000,
    /** shown in the RabbitMQ management UI's connection list */
    readonly connectionName = `timer-service-${process.pid}`,
  ) {}

  /** Starts connecting; resolves at once. Use waitForConnect() to wait for the first connection. */
  async start(): Promise<void> {
    const connection = (await amqplib.connect(this.url, {
      // amqplib leaves Nagle's algorithm on: a publish's frames then wait for the broker's delayed ACK,
      // and a confirm took 44 ms instead of 1 ms whenever fewer than a few dozen publishes were in flight.
      noDelay: true,
      clientProperties: { connection_name: this.connectionName },
      recovery: {
        waitForConnect: false,
        initialDelay: 200,
        maxDelay: 5_000,
        maxRetries: Infinity,
        setup: (model: ChannelModel) => this.setup(model),
      },
    } as never)) as unknown as RecoveringConnection;
    connection.on('disconnect', (err: Error | undefined) => {
      this.model = null;
      this.publishChannel = null;
      for (const consumer of this.consumers) consumer.channel = null;
      if (!this.stopping) this.log.warn({ err: err?.message }, 'broker connection lost; reconnecting');
    });
    connection.on('connect', () => this.log.info('broker connected'));
    connection.on('connect-failed', (err: Error) => this.log.warn({ err: err.message }, 'broker connection attempt failed'));
    connection.on('error', (err: Error) => this.log.warn({ err: err.message }, 'broker connection error'));
    connection.on('handler-error', (err: Error, event: string) => this.log.error({ err, event }, 'broker event handler threw'));
    this.connection = connection;
  }

  /** Resolves once connected with the topology declared and every consumer open (at once if so now). */
  waitForConnect(): Promise<void> {
    if (this.isConnected()) return Promise.resolve();
    return new Promise((resolve) => this.connectWaiters.push(resolve));
  }

  isConnected(): boolean {
    return this.publishChannel !== null;
  }

  private async setup(model: ChannelModel): Promise<void> {
    const topologyChannel = await model.createChannel();
    await declareTopology(topologyChannel, this.names);
    await topologyChannel.close();
    this.model = model;
    await this.openPublishChannel(model);
    for (const consumer of this.consumers) await this.openConsumer(model, consumer);
    this.connectWaiters.splice(0).forEach((resolve) => resolve());
  }

  private async openPublishChannel(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    this.watchChannel(channel, 'publish', () => {
      if (this.publishChannel === channel) this.publishChannel = null;
      this.reopen(model, () => this.openPublishChannel(model));
    });
    // Before any publish on it: a waiting submitter's direct replies are consumed on this channel.
    await this.publishChannelSetup?.(channel);
    this.publishChannel = channel;
  }

  private async openConsumer(model: ChannelModel, consumer: ConsumerSpec): Promise<void> {
    const channel = await model.createChannel();
    this.watchChannel(channel, consumer.queue, () => {
      if (consumer.channel === channel) consumer.channel = null;
      this.reopen(model, () => this.openConsumer(model, consumer));
    });
    await channel.prefetch(consumer.prefetch);
    consumer.channel = channel;
    const reply = await channel.consume(consumer.queue, (message) => {
      // A null message means the broker cancelled the consumer (queue deleted): open it again.
      if (message === null) return void channel.close().catch(() => undefined);
      consumer.handler(message, channel);
    });
    consumer.tag = reply.consumerTag;
  }

  private watchChannel(channel: Channel, purpose: string, onUnexpectedClose: () => void): void {
    channel.on('error', (err: Error) => this.log.warn({ err: err.message, purpose }, 'channel error'));
    channel.on('handler-error', (err: Error, event: string) => this.log.error({ err, event, purpose }, 'channel handler threw'));
    channel.on('close', () => {
      if (!this.stopping && this.model !== null) onUnexpectedClose();
    });
  }

  private reopen(model: ChannelModel, open: () => Promise<void>): void {
    setTimeout(() => {
      if (this.stopping || this.model !== model) return;
      open().catch((err: Error) => this.log.warn({ err: err.message }, 'could not reopen channel'));
    }, CHANNEL_REOPEN_DELAY_MS).unref();
  }

  /** Runs `setup` on every publish channel, each reconnect's included, before anything is published on it. */
  onPublishChannel(setup: (channel: ConfirmChannel) => Promise<void>): void {
    this.publishChannelSetup = setup;
  }

  /** Consumes `queue` now and after every reconnect. The handler acks or nacks on the given channel. */
  async consume(queue: string, prefetch: number, handler: MessageHandler): Promise<void> {
    const consumer: ConsumerSpec = { queue, prefetch, handler, channel: null, tag: null };
    this.consumers.push(consumer);
    if (this.model) await this.openConsumer(this.model, consumer);
  }

  /** Stops every consumer: no new deliveries; unacked ones stay with us until acked or the channel closes. */
  async cancelConsumers(): Promise<void> {
    for (const consumer of this.consumers) {
      const { channel, tag } = consumer;
      if (channel && tag) await channel.cancel(tag).catch(() => undefined);
    }
  }

  /** Publishes a persistent message and resolves once the broker confirms it is stored. */
  publish(queue: string, body: Buffer, options: Options.Publish = {}): Promise<void> {
    const channel = this.publishChannel;
    if (!channel) return Promise.reject(new DependencyUnavailableError('broker', 'message broker unavailable'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DependencyUnavailableError('broker', 'message broker did not confirm in time')), this.publishTimeoutMs);
      try {
        channel.publish('', queue, body, { persistent: true, contentType: 'application/json', ...options }, (err) => {
          clearTimeout(timer);
          if (err) reject(new DependencyUnavailableError('broker', 'message broker refused the message', { cause: err }));
          else resolve();
        });
      } catch (err) {
        clearTimeout(timer);
        reject(new DependencyUnavailableError('broker', 'message broker unavailable', { cause: err }));
      }
    });
  }

  /** Messages ready in `queue` now, or null while the broker is unreachable. */
  async messageCount(queue: string): Promise<number | null> {
    return (await this.queueStats(queue))?.messageCount ?? null;
  }

  /** Messages ready in `queue` and its consumers now, or null while the broker is unreachable. */
  async queueStats(queue: string): Promise<{ messageCount: number; consumerCount: number } | null> {
    const model = this.model;
    if (!model) return null;
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.log.warn({ err: err.message, queue }, 'queue check failed'));
    try {
      const { messageCount, consumerCount } = await channel.checkQueue(queue);
      return { messageCount, consumerCount };
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * Runs `use` on a confirm channel of its own, closed after it (thrown or not): what it took with
   * basic.get and did not ack goes back to its queue then. DependencyUnavailableError while unreachable.
   */
  async withOwnChannel<T>(purpose: string, use: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    const model = this.model;
    if (!model) throw new DependencyUnavailableError('broker', 'message broker unavailable');
    let channel: ConfirmChannel;
    try {
      channel = await model.createConfirmChannel();
    } catch (err) {
      throw new DependencyUnavailableError('broker', 'message broker unavailable', { cause: err });
    }
    channel.on('error', (err: Error) => this.log.warn({ err: err.message, purpose }, 'channel error'));
    try {
      return await use(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    for (const consumer of this.consumers) await consumer.channel?.close().catch(() => undefined);
    await this.publishChannel?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }
}
