import { Kafka, logLevel, LogEntry, Partitioners } from 'kafkajs';
import { decodeEvent, encodeEvent, Topics, type ExceptionEventV1, type StatusChangedV1 } from './contracts';
import { Delivery, EventKind, PartitionProcessor, SubscriberLogger } from './partition-processor';
import type { RetryPolicy } from './retry';
import type { SubscriberStore } from './store';

export interface SubscriberOptions<Tx> {
  /** Kafka bootstrap servers; or pass a ready `kafka` client instead. */
  brokers?: string[];
  kafka?: Kafka;
  clientId?: string;
  /** The consumer group: one per subscribing service. The store keeps what it has seen per group. */
  groupId: string;
  /** Where applied versions are remembered; see InMemoryVersionStore and PostgresVersionStore. */
  store: SubscriberStore<Tx>;
  /** Default: the contract's topic (payments.status-changed.v1 or payments.exceptions.v1). */
  topic?: string;
  /** Default payments.dlq.v1. */
  deadLetterTopic?: string;
  /** Where a new group starts: true (default) reads the topic's whole retention. */
  fromBeginning?: boolean;
  retry?: RetryPolicy;
  /** Default: console. */
  logger?: SubscriberLogger;
  sessionTimeoutMs?: number;
  /** Partitions handled at once (default 1); each partition is always handled in order. */
  partitionsConsumedConcurrently?: number;
}

export interface StatusHandlerContext<Tx> extends Delivery {
  /** The store's transaction (a pg PoolClient with PostgresVersionStore): write with it. */
  tx: Tx;
  /** The version applied before this one, or null for the first one this group sees. */
  previousVersion: number | null;
}

export interface StatusSubscriptionOptions<Tx> extends SubscriberOptions<Tx> {
  /** Called once per new version of each payment, in order. Throwing makes it retry (nothing recorded). */
  handler: (event: StatusChangedV1, ctx: StatusHandlerContext<Tx>) => Promise<void>;
  /** Told of each event skipped as already seen (a duplicate or an older version). */
  onSkipped?: (event: StatusChangedV1, delivery: Delivery) => void;
}

export interface ExceptionHandlerContext<Tx> extends Delivery {
  tx: Tx;
}

export interface ExceptionSubscriptionOptions<Tx> extends SubscriberOptions<Tx> {
  /** Called once per exception event id. */
  handler: (event: ExceptionEventV1, ctx: ExceptionHandlerContext<Tx>) => Promise<void>;
  onSkipped?: (event: ExceptionEventV1, delivery: Delivery) => void;
}

export interface Subscription {
  readonly groupId: string;
  readonly topic: string;
  /** Resolves once the consumer has joined its group and got its partitions. */
  readonly joined: Promise<void>;
  /** Why kafkajs stopped the consumer for good, or null while it consumes (for health checks). */
  readonly failure: string | null;
  /** Lets the event in hand finish and commit, then leaves the group. */
  stop(): Promise<void>;
}

/**
 * Subscribes to payments.status-changed.v1: decodes and validates each event with the contract's zod
 * schema, and calls `handler` once per new `version` of each payment, in order. Duplicates and older
 * versions are skipped; events that cannot be read are dead-lettered with the reason.
 */
export function subscribeToPaymentStatus<Tx>(options: StatusSubscriptionOptions<Tx>): Promise<Subscription> {
  const { groupId, store, handler } = options;
  const kind: EventKind<StatusChangedV1> = {
    decode: (value) => decodeEvent(Topics.statusChanged, value),
    describe: (e) => `${e.paymentRequestId} v${e.version}`,
    apply: (e, delivery) =>
      store.applyVersion(groupId, e.paymentRequestId, e.version, (tx, previousVersion) =>
        handler(e, { ...delivery, tx, previousVersion }),
      ),
  };
  return start(options, kind, options.topic ?? Topics.statusChanged, options.onSkipped);
}

/** Subscribes to payments.exceptions.v1 on the same terms, once per event id. */
export function subscribeToPaymentExceptions<Tx>(
  options: ExceptionSubscriptionOptions<Tx>,
): Promise<Subscription> {
  const { groupId, store, handler } = options;
  const kind: EventKind<ExceptionEventV1> = {
    decode: (value) => decodeEvent(Topics.exceptions, value),
    describe: (e) => `${e.paymentRequestId} exception ${e.exceptionId} ${e.type} (${e.eventId})`,
    apply: (e, delivery) => store.applyOnce(groupId, e.eventId, (tx) => handler(e, { ...delivery, tx })),
  };
  return start(options, kind, options.topic ?? Topics.exceptions, options.onSkipped);
}

const consoleLogger: SubscriberLogger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

function kafkaFor(options: SubscriberOptions<unknown>, logger: SubscriberLogger): Kafka {
  if (options.kafka) return options.kafka;
  if (!options.brokers?.length) throw new Error('subscriber: give `brokers` or a `kafka` client');
  return new Kafka({
    clientId: options.clientId ?? options.groupId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const line = `[kafkajs ${namespace}] ${log.message}`;
        if (level === logLevel.ERROR) logger.error(line);
        else logger.warn(line);
      },
  });
}

async function start<E, Tx>(
  options: SubscriberOptions<Tx>,
  kind: EventKind<E>,
  topic: string,
  onSkipped?: (event: E, delivery: Delivery) => void,
): Promise<Subscription> {
  const logger = options.logger ?? consoleLogger;
  const kafka = kafkaFor(options as SubscriberOptions<unknown>, logger);
  const deadLetterTopic = options.deadLetterTopic ?? Topics.dlq;
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout,
    heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
    maxWaitTimeInMs: 1000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: Number.MAX_SAFE_INTEGER },
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const processor = new PartitionProcessor<E>({
    groupId: options.groupId,
    kind,
    retry: options.retry,
    logger,
    onSkipped,
    deadLetter: async (letters) => {
      await producer.send({
        topic: deadLetterTopic,
        acks: -1,
        messages: letters.map((l) => ({
          key: l.key ?? `${l.originalTopic}:${l.partition}`,
          value: encodeEvent(Topics.dlq, l),
        })),
      });
    },
  });

  let failure: string | null = null;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) return; // kafkajs restarts the consumer itself
    failure = `subscriber ${options.groupId} stopped for good: ${payload.error.message}`;
    logger.error(failure);
  });
  const joined = new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      resolve();
    });
  });

  await producer.connect();
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => processor.process(payload),
    });
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    groupId: options.groupId,
    topic,
    joined,
    get failure() {
      return failure;
    },
    stop: () =>
      (stopping ??= (async () => {
        await consumer.disconnect();
        await producer.disconnect();
      })()),
  };
}
