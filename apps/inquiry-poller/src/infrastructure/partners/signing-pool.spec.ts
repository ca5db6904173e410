import { generateKeyPairSync, KeyObject } from 'node:crypto';
import * as path from 'node:path';
import { buildSignContent, signContent, verifyContent } from '@app/alipayplus';
import { buildSigningWorker } from '../../../test/signing-worker-build';
import { defaultWorkerFile, exactBytes, SigningPool, SigningPoolError } from './signing-pool';

// Real worker threads, running the real worker (compiled by the test: Jest runs the sources).
const built = buildSigningWorker();
const { workerFile, crashingWorkerFile } = built;
const dir = path.dirname(workerFile);
afterAll(() => built.remove());

const rsa = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits });
const ours = rsa();
const next = rsa();
const content = (body: string) =>
  buildSignContent({ path: '/aps/api/v1/payments/inquiryPayment', clientId: 'C1', time: 't', body });

const pools: SigningPool[] = [];
function pool(options: {
  threads?: number;
  keys?: Record<string, KeyObject>;
  crashing?: boolean;
  onWorkerExit?: (code: number, replaced: boolean) => void;
}): SigningPool {
  const created = new SigningPool({
    threads: options.threads ?? 2,
    keys: new Map(Object.entries(options.keys ?? { P: ours.privateKey })),
    workerFile: options.crashing ? crashingWorkerFile : workerFile,
    ...(options.onWorkerExit ? { onWorkerExit: options.onWorkerExit } : {}),
  });
  pools.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

const failure = async (promise: Promise<unknown>): Promise<SigningPoolError> => {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SigningPoolError);
  return error as SigningPoolError;
};

describe('SigningPool', () => {
  it('signs exactly as signContent does, and the signature verifies with our public key', async () => {
    const signing = pool({});
    const message = content('{"paymentRequestId":"p-1"}');
    const signature = await signing.sign('P', message);
    expect(signature).toBe(signContent(message, ours.privateKey));
    expect(verifyContent(message, signature, ours.publicKey)).toBe(true);
  });

  it('signs many at once over its threads, each over its own content', async () => {
    const signing = pool({ threads: 2 });
    const messages = Array.from({ length: 40 }, (_, i) => content(`{"paymentRequestId":"p-${i}"}`));
    const signatures = await Promise.all(messages.map((m) => signing.sign('P', m)));
    messages.forEach((m, i) => expect(verifyContent(m, signatures[i], ours.publicKey)).toBe(true));
    expect(verifyContent(messages[0], signatures[1], ours.publicKey)).toBe(false);
    expect(signing.threads).toBe(2);
  });

  it('signs with the new key once the keys are replaced (SIGHUP), and asked-for-before with the old', async () => {
    const signing = pool({});
    const message = content('{"paymentRequestId":"p-rotate"}');
    const before = signing.sign('P', message);
    signing.setKeys(new Map([['P', next.privateKey]]));
    const after = signing.sign('P', message);
    expect(verifyContent(message, await before, ours.publicKey)).toBe(true);
    expect(verifyContent(message, await after, next.publicKey)).toBe(true);
    expect(verifyContent(message, await after, ours.publicKey)).toBe(false);
  });

  it('does not sign what is past its deadline when a thread gets to it (SIGNING_EXPIRED); the rest it signs', async () => {
    const signing = pool({ threads: 1 });
    const message = content('{"paymentRequestId":"p-late"}');
    const late = failure(signing.sign('P', message, Date.now() - 1));
    const onTime = signing.sign('P', message, Date.now() + 60_000);
    expect((await late).code).toBe('SIGNING_EXPIRED');
    expect(await onTime).toBe(signContent(message, ours.privateKey));
  });

  it('sends a small Buffer as its own bytes, not the 8 KiB pool slab it is a view of', () => {
    const message = content('{"paymentRequestId":"p-1"}');
    expect(message.buffer.byteLength).toBeGreaterThan(message.byteLength);
    const sent = exactBytes(message);
    expect(sent.buffer.byteLength).toBe(message.byteLength);
    expect(Buffer.from(sent).equals(message)).toBe(true);
    // Already its own: sent as is.
    expect(exactBytes(sent)).toBe(sent);
  });

  it('keeps several keys apart by id', async () => {
    const signing = pool({ keys: { A: ours.privateKey, B: next.privateKey } });
    const message = content('{}');
    const [a, b] = await Promise.all([signing.sign('A', message), signing.sign('B', message)]);
    expect(verifyContent(message, a, ours.publicKey)).toBe(true);
    expect(verifyContent(message, b, next.publicKey)).toBe(true);
  });

  it('refuses a key it was not given (SIGNING_KEY_UNKNOWN) and a key that cannot sign (SIGNING_FAILED)', async () => {
    const signing = pool({ keys: { P: ours.privateKey, PUBLIC: ours.publicKey } });
    expect((await failure(signing.sign('Q', content('{}')))).code).toBe('SIGNING_KEY_UNKNOWN');
    expect((await failure(signing.sign('PUBLIC', content('{}')))).code).toBe('SIGNING_FAILED');
    // The thread is still there.
    expect(verifyContent(content('{}'), await signing.sign('P', content('{}')), ours.publicKey)).toBe(true);
  });

  it('replaces a thread that dies; the signature it owed fails with SIGNING_WORKER_EXITED', async () => {
    const exits: Array<[number, boolean]> = [];
    const signing = pool({ threads: 1, crashing: true, onWorkerExit: (c, r) => exits.push([c, r]) });
    const error = await failure(signing.sign('P', Buffer.from('crash')));
    expect(error.code).toBe('SIGNING_WORKER_EXITED');
    expect(error.message).toContain('replaced');
    expect(exits).toEqual([[7, true]]);
    // The replacement has the keys, including keys set before the crash.
    signing.setKeys(new Map([['P', next.privateKey]]));
    await failure(signing.sign('P', Buffer.from('crash')));
    const message = content('{"paymentRequestId":"p-after"}');
    expect(verifyContent(message, await signing.sign('P', message), next.publicKey)).toBe(true);
    expect(signing.threads).toBe(1);
    expect(signing.healthy).toBe(true);
  });

  it('gives up on a thread that keeps dying without answering, and says so', async () => {
    const exits: boolean[] = [];
    const signing = pool({ threads: 1, crashing: true, onWorkerExit: (_, replaced) => exits.push(replaced) });
    for (let i = 0; i < 3; i++) await failure(signing.sign('P', Buffer.from('crash')));
    expect(exits).toEqual([true, true, false]);
    expect(signing.healthy).toBe(false);
    const error = await failure(signing.sign('P', content('{}')));
    expect(error.code).toBe('SIGNING_WORKER_EXITED');
  });

  it('close() stops the threads: what is not signed yet fails with SIGNING_POOL_CLOSED', async () => {
    const signing = pool({});
    const pending = failure(signing.sign('P', content('{}')));
    await signing.close();
    expect((await pending).code).toBe('SIGNING_POOL_CLOSED');
    expect((await failure(signing.sign('P', content('{}')))).code).toBe('SIGNING_POOL_CLOSED');
    expect(signing.healthy).toBe(true);
  });

  it('needs at least one thread and its worker file', () => {
    expect(() => new SigningPool({ threads: 0, keys: new Map(), workerFile })).toThrow(RangeError);
    expect(
      () => new SigningPool({ threads: 1, keys: new Map(), workerFile: path.join(dir, 'missing.js') }),
    ).toThrow(/signing worker not found/);
  });

  it('runs the compiled worker: beside it in dist/, or from the sources (Jest) the one npm run build wrote', () => {
    const root = path.resolve(__dirname, '../../../../..');
    expect(defaultWorkerFile()).toBe(
      path.join(root, 'dist', 'apps/inquiry-poller/src/infrastructure/partners/signing-worker.js'),
    );
  });
});
