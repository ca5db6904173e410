// Kafka: a single-node KRaft Apache Kafka 3.9.1 broker+controller from jars fetched by Maven
// (infra/kafka/pom.xml, design.md §9), run with the JDK; its data and logs stay in <instance>/kafka.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { elapsed, file, InfraError, withLock, type Instance } from './instance';
import { loadPorts, type Ports } from './ports';
import {
  procMatches,
  readPidFile,
  run,
  sleep,
  spawnDetached,
  stopProcess,
  tailFile,
  writeFileAtomic,
} from './proc';

export const KAFKA_VERSION = '3.9.1';

const libsDir = (inst: Instance) => path.join(inst.root, '.infra', `kafka-libs-${KAFKA_VERSION}`);
const log4j = (inst: Instance) => path.join(inst.root, 'infra', 'kafka', 'log4j.properties');
const brokerJar = (dir: string) => path.join(dir, `kafka_2.13-${KAFKA_VERSION}.jar`);

export function kafkaConfig(ports: Ports, dataDir: string): string {
  return `# Single-node KRaft broker+controller for local runs and tests (design.md §9). Written by the local-infra harness.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${ports.kafkaController}
listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}
# One broker: internal topics must not ask for more replicas than exist, or consumer groups
# never find a coordinator.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
# Topics are created explicitly (as in production), so a typo fails instead of making a topic.
auto.create.topics.enable=false
num.partitions=3
# Fewer __consumer_offsets partitions than the default 50: the first consumer group comes up faster.
offsets.topic.num.partitions=10
`;
}

/**
 * A KRaft cluster id: 16 random bytes, base64url. One starting with '-' would be read by StorageTool
 * as an option, so those are re-rolled.
 */
export function newClusterId(random: () => Buffer = () => randomBytes(16)): string {
  for (;;) {
    const id = random().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * The jars are shared by all instances of this checkout; ~/.m2 is the download cache. Downloaded into a
 * temp dir and renamed, so a half-finished copy never looks like a cached one.
 */
async function ensureKafkaLibs(inst: Instance): Promise<void> {
  const libs = libsDir(inst);
  if (fs.existsSync(brokerJar(libs))) return;
  await withLock(
    path.join(inst.root, '.infra', '.kafka-libs.lock'),
    600,
    'the Kafka jar download',
    async () => {
      if (fs.existsSync(brokerJar(libs))) return;
      const tmp = `${libs}.tmp.${process.pid}`;
      const t0 = Date.now();
      inst.out.log(`fetching Kafka ${KAFKA_VERSION} jars with Maven`);
      fs.rmSync(tmp, { recursive: true, force: true });
      const pom = path.join(inst.root, 'infra', 'kafka', 'pom.xml');
      const args = ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime'];
      const { code } = await run('mvn', [...args, `-DoutputDirectory=${tmp}`], inst.out);
      if (code !== 0) throw new InfraError('mvn could not fetch the Kafka jars (see above)');
      if (!fs.existsSync(brokerJar(tmp))) throw new InfraError(`mvn ran but ${brokerJar('')} is missing`);
      fs.rmSync(libs, { recursive: true, force: true });
      fs.renameSync(tmp, libs);
      inst.out.log(`Kafka jars ready in ${elapsed(t0)}`);
    },
  );
}

/** The broker's pid if it runs. */
export function kafkaPid(inst: Instance): number | undefined {
  const pid = readPidFile(file.kafkaPid(inst));
  return procMatches(pid, file.kafkaProps(inst)) ? pid : undefined;
}

/** Starts the broker unless it runs, then waits until it serves requests. */
export async function startKafka(inst: Instance): Promise<void> {
  const t0 = Date.now();
  const ports = loadPorts(inst);
  if (!ports) throw new InfraError(`instance ${inst.dir} was never started; run 'start' first`);
  const dir = file.kafkaDir(inst);
  const props = file.kafkaProps(inst);
  const java = (...args: string[]) => [
    `-Dlog4j.configuration=file:${log4j(inst)}`,
    `-Dkafka.logs.dir=${dir}`,
    '-cp',
    `${libsDir(inst)}/*`,
    ...args,
  ];
  let pid = kafkaPid(inst);
  if (pid) {
    inst.out.log(`kafka already running (pid ${pid})`);
  } else {
    await ensureKafkaLibs(inst);
    if (!fs.existsSync(props)) {
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      fs.writeFileSync(props, kafkaConfig(ports, path.join(dir, 'data')));
    }
    if (!fs.existsSync(path.join(dir, 'data', 'meta.properties'))) {
      // A KRaft log dir must be formatted with a cluster id.
      const format = java('kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', props);
      const { code } = await run('java', [...format, '--ignore-formatted'], inst.out);
      if (code !== 0) throw new InfraError('formatting the Kafka log dir failed');
    }
    inst.out.log(`starting kafka on 127.0.0.1:${ports.kafka}`);
    const heap = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError'];
    pid = spawnDetached(
      'java',
      [...heap, '-Djava.awt.headless=true', ...java('kafka.Kafka', props)],
      path.join(dir, 'kafka.out'),
    );
    writeFileAtomic(file.kafkaPid(inst), `${pid}\n`);
  }
  try {
    await waitUntilReady({
      probe: () => probeKafka(`127.0.0.1:${ports.kafka}`),
      isAlive: () => procMatches(pid, props),
      timeoutMs: inst.kafkaReadyTimeoutS * 1000,
    });
  } catch (error) {
    inst.out.log(`kafka did not become ready: ${(error as Error).message}; last lines of its logs:`);
    for (const log of ['server.log', 'kafka.out']) {
      inst.out.raw(`==> ${path.join(dir, log)} <==\n${tailFile(path.join(dir, log), 40)}\n`);
    }
    throw new InfraError(`kafka not ready (logs in ${dir})`);
  }
  inst.out.log(`kafka ready on 127.0.0.1:${ports.kafka} in ${elapsed(t0)}`);
}

/** Stops the broker with SIGTERM, which lets it shut down cleanly (the next start needs no log recovery). */
export async function stopKafka(inst: Instance): Promise<void> {
  const pid = kafkaPid(inst);
  if (pid) await stopProcess(pid, file.kafkaProps(inst), 'kafka', 'SIGTERM', inst.stopTimeoutS, inst.out);
  fs.rmSync(file.kafkaPid(inst), { force: true });
}

/**
 * Retries PROBE until it succeeds; fails with the last error when timeoutMs has passed, and at once
 * when the process dies meanwhile (checked every 200 ms, also while a probe is in flight).
 */
export async function waitUntilReady(opts: {
  probe: () => Promise<void>;
  isAlive: () => boolean;
  timeoutMs: number;
  now?: () => number;
  pause?: (ms: number) => Promise<void>;
}): Promise<void> {
  const { now = Date.now, pause = sleep } = opts;
  const deadline = now() + opts.timeoutMs;
  let lastError = 'no attempt';
  let watching = true;
  const died = (async () => {
    while (watching && opts.isAlive()) await pause(200);
    return watching;
  })();
  try {
    while (now() < deadline) {
      const attempt = opts.probe().then(
        () => 'ready' as const,
        (error: Error) => `${error.name}: ${error.message}`,
      );
      const result = await Promise.race([attempt, died.then((dead) => (dead ? ('died' as const) : 'ready'))]);
      if (result === 'died') throw new InfraError('the process exited');
      if (result === 'ready') return;
      lastError = result;
      await pause(200);
    }
    throw new InfraError(`not ready after ${opts.timeoutMs / 1000}s; last error: ${lastError}`);
  } finally {
    watching = false;
  }
}

/**
 * One readiness check: the broker answers, a consumer group coordinator is up (fetchOffsets makes the
 * broker create __consumer_offsets and load it) and a topic can be created and deleted.
 */
async function probeKafka(broker: string): Promise<void> {
  const kafka = new Kafka({
    clientId: 'local-infra-ready',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 10000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  const topic = `local-infra-ready-${process.pid}`;
  try {
    await admin.connect();
    await admin.describeCluster();
    await admin.fetchOffsets({ groupId: 'local-infra-ready' });
    // Resolves false if an earlier attempt already created it; waitForLeaders covers both.
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
