// A subscriber killed (SIGKILL) after its handler's transaction committed and before the offset was
// committed does not apply the event twice once restarted (issue 16, acceptance). The subscriber runs
// as its own process from dist (`npm run build` first): test/failpoint-subscriber.ts.
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { Topics } from '@app/contracts';
import { repoRoot, waitFor } from '@app/testing';
import { groupCaughtUp, testKafka } from '@app/testing/kafka-probes';
import { createTestDatabase } from '@app/testing/test-database';
import { encodeStatus, statusEvent } from '../test/fixtures';
import { committedOffset, ensureSubscriberTopics, produce, uniqueId, workRows } from '../test/kafka-helpers';

jest.setTimeout(180_000);

interface Child {
  process: ChildProcess;
  lines: Record<string, string>[];
  output: () => string;
  exited: Promise<number | string>;
}

function startSubscriber(env: Record<string, string>): Child {
  const root = repoRoot();
  const main = path.join(root, 'dist', 'libs', 'subscriber', 'test', 'failpoint-subscriber.js');
  const child = spawn(process.execPath, ['-r', path.join(root, 'scripts', 'register-paths.js'), main], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, string>[] = [];
  let out = '';
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p));
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { process: child, lines, output: () => out.slice(-4000), exited };
}

async function waitForLine(child: Child, pred: (l: Record<string, string>) => boolean, what: string) {
  let exit: number | string | undefined;
  void child.exited.then((e) => (exit = e));
  return waitFor(
    async () => {
      if (exit !== undefined) throw new Error(`the subscriber exited (${exit}):\n${child.output()}`);
      return child.lines.find(pred);
    },
    { description: what, timeoutMs: 90_000, intervalMs: 100 },
  );
}

let kafka: Kafka;
let db: { url: string; drop(): Promise<void> };
let pool: Pool;
const children: Child[] = [];

beforeAll(async () => {
  kafka = testKafka();
  await ensureSubscriberTopics(kafka);
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  for (const c of children) {
    c.process.kill('SIGKILL');
    await c.exited;
  }
  await pool?.end();
  await db?.drop();
});

it('a consumer killed between its handler commit and the offset commit does not apply the event twice after a restart', async () => {
  const groupId = uniqueId('sub-kill');
  const id = uniqueId('pay');
  const [v1, v2] = [1, 2].map((v) => statusEvent(id, v));
  const [, sent] = await produce(
    kafka,
    Topics.statusChanged,
    [v1, v2].map((e) => ({ key: id, value: encodeStatus(e) })),
  );
  const env = { GROUP_ID: groupId, DATABASE_URL: db.url, KAFKA_BROKERS: process.env.KAFKA_BROKERS! };

  // 1. Run until v2's transaction has committed, then SIGKILL: its offset is never committed.
  const first = startSubscriber({ ...env, FAILPOINT: 'after-db-commit', FAILPOINT_EVENT_ID: v2.eventId });
  children.push(first);
  await waitForLine(first, (l) => l.failpoint === 'after-db-commit', 'the subscriber at its failpoint');
  first.process.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  expect(await workRows(pool, groupId, v2.eventId)).toBe(1);
  expect(await committedOffset(kafka, groupId, Topics.statusChanged, sent.partition)).toBeLessThanOrEqual(
    Number(sent.baseOffset),
  );

  // 2. Restart: v2 is delivered again (its offset was not committed) and skipped by the store.
  const second = startSubscriber(env);
  children.push(second);
  await waitForLine(second, (l) => l.skipped === v2.eventId, 'v2 redelivered and skipped after the restart');
  await waitFor(() => groupCaughtUp(kafka, groupId, Topics.statusChanged), {
    description: 'the restarted subscriber committed past v2',
    timeoutMs: 60_000,
    intervalMs: 250,
  });
  expect(second.lines.filter((l) => l.applied === v2.eventId)).toEqual([]);
  expect(await workRows(pool, groupId, v1.eventId)).toBe(1);
  expect(await workRows(pool, groupId, v2.eventId)).toBe(1);

  // 3. And it goes on applying what is new.
  const v3 = statusEvent(id, 3);
  await produce(kafka, Topics.statusChanged, [{ key: id, value: encodeStatus(v3) }]);
  await waitForLine(second, (l) => l.applied === v3.eventId, 'v3 applied');
  expect(await workRows(pool, groupId, v3.eventId)).toBe(1);

  second.process.kill('SIGTERM');
  expect(await second.exited).toBe(0);
});
