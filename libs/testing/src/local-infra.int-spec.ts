// Checks the local infrastructure itself against the real servers: Kafka round-trips a message,
// PostgreSQL answers, both come back on the same address with their data after a restart, and the
// CLI's owner watchdog stops a second instance when its owner exits, leaving nothing running.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Client } from 'pg';
import {
  infraEndpoints,
  isLocalInfraManaged,
  purgeInfra,
  repoRoot,
  startKafka,
  startPostgres,
  stopKafka,
  stopPostgres,
  waitFor,
} from '@app/testing';
import { parseEnv } from './local-infra';
import { pidAlive, readPidFile } from './infra/proc';

// The integration project's `testTimeout` in jest.config.js is not applied (Jest reads testTimeout
// from the global config only), so the real-server timeout is set here.
jest.setTimeout(120_000);

const brokers = (): string[] => process.env.KAFKA_BROKERS!.split(',');
const kafka = () =>
  new Kafka({ clientId: 'local-infra-spec', brokers: brokers(), logLevel: logLevel.NOTHING });

/** Reads every message of `topic` from the beginning (new group) until `expected` values are all seen. */
async function readTopic(topic: string, expected: string[]): Promise<string[]> {
  const seen: string[] = [];
  // A short fetch wait: disconnect() waits for the fetch in flight (default up to 5 s).
  const consumer: Consumer = kafka().consumer({
    groupId: `local-infra-spec-${randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
      },
    });
    return await waitFor(async () => expected.every((value) => seen.includes(value)) && [...seen], {
      description: `messages ${expected.join(', ')} on ${topic}`,
      timeoutMs: 60_000,
    });
  } finally {
    await consumer.disconnect();
  }
}

async function produce(topic: string, value: string): Promise<void> {
  const producer: Producer = kafka().producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: 'k', value }] });
  } finally {
    await producer.disconnect();
  }
}

async function selectOne(): Promise<number> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ one: number }>('select 1 as one');
    return rows[0].one;
  } finally {
    await client.end();
  }
}

function connectionRefused(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('local infrastructure', () => {
  const topic = `local-infra-spec-${randomUUID()}`;

  beforeAll(async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  });

  it('round-trips a message through Kafka with a consumer group', async () => {
    await produce(topic, 'before-restart');

    expect(await readTopic(topic, ['before-restart'])).toEqual(['before-restart']);
  });

  it('answers a PostgreSQL query on DATABASE_URL', async () => {
    expect(process.env.DATABASE_URL).toMatch(/\/payments$/);

    expect(await selectOne()).toBe(1);
  });

  const itWhenManaged = isLocalInfraManaged() ? it : it.skip;

  itWhenManaged('restarts Kafka on the same address with its data kept', async () => {
    const before = process.env.KAFKA_BROKERS!;

    await stopKafka();
    expect(await connectionRefused(before)).toBe(true);
    await startKafka();

    expect((await infraEndpoints()).kafkaBrokers).toBe(before);
    await produce(topic, 'after-restart');
    expect((await readTopic(topic, ['before-restart', 'after-restart'])).sort()).toEqual([
      'after-restart',
      'before-restart',
    ]);
  });

  itWhenManaged('restarts PostgreSQL on the same address', async () => {
    const before = process.env.DATABASE_URL!;

    await stopPostgres();
    await expect(selectOne()).rejects.toThrow();
    await startPostgres();

    expect((await infraEndpoints()).databaseUrl).toBe(before);
    expect(await selectOne()).toBe(1);
  });
});

describe('the CLI with an owner watchdog', () => {
  const itWhenManaged = isLocalInfraManaged() ? it : it.skip;

  itWhenManaged(
    'starts a second instance and stops all of it once the owner exits',
    async () => {
      const dir = path.join(repoRoot(), '.infra', `spec-watchdog-${process.pid}`);
      const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
      try {
        // From the sources, as `npm run infra -- start --owner-pid <pid>` runs it.
        const cli = [path.join(repoRoot(), 'scripts', 'infra.js'), 'start', '--owner-pid', String(owner.pid)];
        const { stdout } = await promisify(execFile)(process.execPath, cli, {
          env: { ...process.env, INFRA_DIR: dir },
        });
        const { kafkaBrokers, databaseUrl } = parseEnv(stdout);
        expect(kafkaBrokers).not.toBe(process.env.KAFKA_BROKERS);
        expect(databaseUrl).not.toBe(process.env.DATABASE_URL);
        const pids = ['kafka/kafka.pid', 'pg/data/postmaster.pid', 'watchdog.pid'].map((file) =>
          readPidFile(path.join(dir, file))!,
        );
        expect(pids.map(pidAlive)).toEqual([true, true, true]);

        owner.kill();

        await waitFor(async () => pids.every((pid) => !pidAlive(pid)), {
          description: 'Kafka, PostgreSQL and the watchdog of the second instance gone',
          timeoutMs: 60_000,
        });
        expect(await connectionRefused(kafkaBrokers)).toBe(true);
      } finally {
        owner.kill();
        await purgeInfra(dir);
      }
      // A second Kafka starts from scratch: on a busy machine that takes more than the usual 2 minutes.
    },
    300_000,
  );
});
