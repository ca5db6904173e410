// Ports: chosen once per instance and kept in its `ports` file, so kafka-start / pg-start come back on
// the same addresses. They are random free ports *below* the kernel's ephemeral range: a port from
// there could be taken as the source port of some outgoing connection while the broker is stopped,
// and then the restart on the same port would fail.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { file, InfraError, type Instance } from './instance';
import { writeFileAtomic } from './proc';

export interface Ports {
  kafka: number;
  kafkaController: number;
  postgres: number;
}

/** Where to pick from: 20000 up to just below the ephemeral range (its low end), else 20000-60999. */
export function portRange(ephemeralLow: number): [number, number] {
  const hi = ephemeralLow - 1;
  return [20000, hi - 20000 >= 1000 ? hi : 60999];
}

export function formatPorts(p: Ports): string {
  return `KAFKA_PORT=${p.kafka}\nKAFKA_CONTROLLER_PORT=${p.kafkaController}\nPG_PORT=${p.postgres}\n`;
}

/** Reads a ports file (the shell-style lines formatPorts writes); undefined unless all three are there. */
export function parsePorts(text: string): Ports | undefined {
  const vars = parseAssignments(text);
  const kafka = Number(vars.get('KAFKA_PORT'));
  const kafkaController = Number(vars.get('KAFKA_CONTROLLER_PORT'));
  const postgres = Number(vars.get('PG_PORT'));
  const ok = [kafka, kafkaController, postgres].every((p) => Number.isInteger(p) && p > 0 && p < 65536);
  return ok ? { kafka, kafkaController, postgres } : undefined;
}

/** `NAME=value` lines (env and ports files). */
export function parseAssignments(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) vars.set(match[1], match[2]);
  }
  return vars;
}

/** Every `*PORT=` value in the given ports files' texts. */
export function portsIn(texts: string[]): Set<number> {
  const taken = new Set<number>();
  for (const text of texts) {
    for (const match of text.matchAll(/^[A-Z_]*PORT=(\d+)$/gm)) taken.add(Number(match[1]));
  }
  return taken;
}

/** Picks COUNT distinct random ports in RANGE that are not TAKEN and that isFree accepts. */
export async function pickPorts(opts: {
  range: [number, number];
  taken: Set<number>;
  isFree: (port: number) => Promise<boolean>;
  count?: number;
  random?: () => number;
  tries?: number;
}): Promise<number[]> {
  const [lo, hi] = opts.range;
  const { count = 3, random = Math.random, tries = 500 } = opts;
  const picked: number[] = [];
  for (let i = 0; picked.length < count && i < tries; i++) {
    const port = lo + Math.floor(random() * (hi - lo + 1));
    if (!opts.taken.has(port) && !picked.includes(port) && (await opts.isFree(port))) picked.push(port);
  }
  if (picked.length < count) throw new InfraError(`no free ports in ${lo}-${hi}`);
  return picked;
}

/** True when nothing listens on 127.0.0.1:PORT (we can bind it exclusively). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function loadPorts(inst: Instance): Ports | undefined {
  try {
    return parsePorts(fs.readFileSync(file.ports(inst), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The instance's ports, picked and recorded on its first start. */
export async function ensurePorts(inst: Instance): Promise<Ports> {
  const known = loadPorts(inst);
  if (known) return known;
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
  } catch {
    // not Linux-like: keep the default
  }
  // Ports recorded by sibling instances may be free only because that instance is stopped right now.
  const siblings = [path.join(inst.root, '.infra'), path.dirname(inst.dir)].flatMap(listPortsFiles);
  const taken = portsIn(siblings.map((f) => fs.readFileSync(f, 'utf8')));
  const [kafka, kafkaController, postgres] = await pickPorts({
    range: portRange(ephemeralLow),
    taken,
    isFree: isPortFree,
  });
  const ports = { kafka, kafkaController, postgres };
  writeFileAtomic(file.ports(inst), formatPorts(ports));
  inst.out.log(`ports: kafka ${kafka}, kafka controller ${kafkaController}, postgres ${postgres}`);
  return ports;
}

function listPortsFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .map((name) => path.join(dir, name, 'ports'))
      .filter((f) => fs.existsSync(f));
  } catch {
    return [];
  }
}
