import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { LoggerService } from '@nestjs/common';
import { DEFAULT_TOPIC_PARTITIONS, TopicName } from '@app/contracts';
import { applyKafkajsIdleLoopFix } from './kafkajs-idle-loop';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: LoggerService;
}

/**
 * kafkajs routed into the app's JSON logger; kafkajs' own INFO chatter is kept at debug. Also stops
 * kafkajs 2.2.4's 1 ms idle timer loop (kafkajs-idle-loop.ts) before the first connection.
 */
export function createKafkaClient({ brokers, clientId, logger }: KafkaClientOptions): Kafka {
  applyKafkajsIdleLoopFix();
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...extra } = log;
        const line = `[kafkajs ${namespace}] ${message} ${JSON.stringify(extra)}`;
        if (level === logLevel.ERROR) logger.error(line);
        else if (level === logLevel.WARN) logger.warn(line);
        else logger.debug?.(line);
      },
  });
}

/**
 * Creates the topics that do not exist yet. Our services call this at boot when KAFKA_CREATE_TOPICS
 * is on (local runs and tests); in production the topics are provisioned and the flag is off.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicName[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: DEFAULT_TOPIC_PARTITIONS[topic] })),
    });
  } catch (err) {
    // Two services booting at once race to create the same topic; the loser sees this and is fine.
    if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
  } finally {
    await admin.disconnect();
  }
}
