// PostgreSQL: a throwaway cluster from Debian's postgresql-15 binaries (design.md §9). The server
// refuses to run as root, so as root every PG binary runs as `postgres`, which then needs to reach the
// data dir. The cluster lives in <instance>/pg unless `postgres` cannot traverse that path (e.g. a
// clone under /root) or the unix socket path would exceed the kernel's ~107 byte limit; then it lives
// in a private dir under /tmp and <instance>/pg is a symlink to it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { elapsed, InfraError, type Instance } from './instance';
import { loadPorts } from './ports';
import { procMatches, readPidFile, run, sleep, stopProcess, tailFile } from './proc';

export const PG_DATABASE = 'payments';
export const PG_PASSWORD = 'postgres';

const isRoot = () => process.getuid?.() === 0;

let binDir: string | undefined;
function pgBin(name: string): string {
  if (!binDir) {
    try {
      binDir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    } catch {
      throw new InfraError('pg_config not found: install postgresql-15 (Debian)');
    }
  }
  return path.join(binDir, name);
}

/** uid and gid of USER in /etc/passwd text. */
export function passwdIds(passwd: string, user: string): { uid: number; gid: number } | undefined {
  const fields = passwd
    .split('\n')
    .find((line) => line.startsWith(`${user}:`))
    ?.split(':');
  return fields ? { uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
}

function chownToPostgres(target: string): void {
  if (!isRoot()) return;
  const ids = passwdIds(fs.readFileSync('/etc/passwd', 'utf8'), 'postgres');
  if (!ids) throw new InfraError('running as root, but there is no postgres user (install postgresql-15)');
  fs.chownSync(target, ids.uid, ids.gid);
}

interface PgPaths {
  root: string;
  data: string;
  log: string;
}

/** The cluster's paths (PG_ROOT resolved, so the postmaster's command line names it); CREATE makes it. */
function pgPaths(inst: Instance, create = false): PgPaths {
  const link = path.join(inst.dir, 'pg');
  if (create && !fs.existsSync(link)) {
    fs.mkdirSync(link, { recursive: true });
    chownToPostgres(link);
    const socketPath = path.join(link, '.s.PGSQL.65535');
    const unreachable = isRoot() && runAsPostgresSync('test', ['-w', link]) !== 0;
    if (socketPath.length > 100 || unreachable) {
      fs.rmdirSync(link);
      const priv = fs.mkdtempSync(path.join(process.env.TMPDIR || os.tmpdir(), 'local-infra-pg.'));
      chownToPostgres(priv);
      fs.symlinkSync(priv, link);
      inst.out.log(`postgres data dir is ${priv} (symlinked from ${link})`);
    }
  }
  let root = link;
  try {
    root = fs.realpathSync(link);
  } catch {
    // not there (yet)
  }
  return { root, data: path.join(root, 'data'), log: path.join(root, 'postgres.log') };
}

function runAsPostgresSync(command: string, args: string[]): number {
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'ignore' });
    return 0;
  } catch {
    return 1;
  }
}

/** Runs a PG binary as `postgres` when we are root; cwd is PG_ROOT (the caller's may be unreadable). */
function asPg(p: PgPaths, inst: Instance, command: string, args: string[]) {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return run(cmd as string, argv as string[], inst.out, { cwd: p.root });
}

/** The postmaster's pid if it runs. */
export function pgPid(inst: Instance): number | undefined {
  if (!fs.existsSync(path.join(inst.dir, 'pg'))) return undefined;
  const { data } = pgPaths(inst);
  const pid = readPidFile(path.join(data, 'postmaster.pid'));
  return procMatches(pid, data) ? pid : undefined;
}

/** The server's log file, if the cluster exists. */
export function pgLogFile(inst: Instance): string | undefined {
  return fs.existsSync(path.join(inst.dir, 'pg')) ? pgPaths(inst).log : undefined;
}

export function pgConfig(port: number, socketDir: string): string {
  return `
# --- local-infra: throwaway test cluster ---
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${socketDir}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 256MB
`;
}

/** initdb; writes PG_ROOT/initialised last, so a cluster whose init was interrupted is redone. */
async function pgInit(inst: Instance, p: PgPaths, port: number): Promise<void> {
  inst.out.log(`initdb in ${p.data}`);
  fs.rmSync(p.data, { recursive: true, force: true });
  // The password lets DATABASE_URL work unchanged against docker-compose and this cluster alike.
  const pwfile = path.join(p.root, '.pwfile');
  fs.writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  chownToPostgres(pwfile);
  const initLog: string[] = [];
  const quiet = { log: (line: string) => initLog.push(line), raw: (text: string) => initLog.push(text) };
  const args = ['-D', p.data, '-U', 'postgres', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C'];
  const { code } = await asPg(p, { ...inst, out: quiet }, pgBin('initdb'), [
    ...args,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--no-sync',
  ]);
  fs.writeFileSync(path.join(p.root, 'initdb.log'), initLog.join(''));
  fs.rmSync(pwfile, { force: true });
  if (code !== 0) {
    inst.out.raw(initLog.join(''));
    throw new InfraError('initdb failed');
  }
  // A throwaway cluster: durability is worth nothing here, speed is.
  fs.appendFileSync(path.join(p.data, 'postgresql.conf'), pgConfig(port, p.root));
  fs.writeFileSync(path.join(p.root, 'initialised'), '');
}

/** Starts the cluster unless it runs, waits until it accepts connections and creates the database. */
export async function startPostgres(inst: Instance): Promise<void> {
  const t0 = Date.now();
  const ports = loadPorts(inst);
  if (!ports) throw new InfraError(`instance ${inst.dir} was never started; run 'start' first`);
  const p = pgPaths(inst, true);
  if (!fs.existsSync(path.join(p.root, 'initialised'))) await pgInit(inst, p, ports.postgres);
  const pid = pgPid(inst);
  if (pid) {
    inst.out.log(`postgres already running (pid ${pid})`);
  } else {
    inst.out.log(`starting postgres on 127.0.0.1:${ports.postgres}`);
    // pg_ctl puts the postmaster in its own session and its output in the log.
    const args = ['-D', p.data, '-l', p.log, '-w', '-t', String(inst.pgReadyTimeoutS), 'start'];
    if ((await asPg(p, inst, pgBin('pg_ctl'), args)).code !== 0) {
      inst.out.raw(`${tailFile(p.log, 40)}\n`);
      throw new InfraError(`postgres did not start (log: ${p.log})`);
    }
  }
  const address = ['-h', '127.0.0.1', '-p', String(ports.postgres)];
  for (let i = 0; ; i++) {
    if ((await run(pgBin('pg_isready'), ['-q', ...address, '-t', '1'], inst.out)).code === 0) break;
    if (i >= inst.pgReadyTimeoutS * 5) {
      inst.out.raw(`${tailFile(p.log, 40)}\n`);
      throw new InfraError(`postgres not accepting connections on 127.0.0.1:${ports.postgres}`);
    }
    await sleep(200);
  }
  const env = { ...process.env, PGPASSWORD: PG_PASSWORD };
  const query = `select 1 from pg_database where datname = '${PG_DATABASE}'`;
  const psqlArgs = ['-X', '-q', '-t', '-A', ...address, '-U', 'postgres', '-d', 'postgres', '-c', query];
  const exists = await run(pgBin('psql'), psqlArgs, inst.out, { env, captureStdout: true });
  if (exists.code !== 0) throw new InfraError('psql failed');
  if (exists.stdout.trim() !== '1') {
    const created = await run(pgBin('createdb'), [...address, '-U', 'postgres', PG_DATABASE], inst.out, {
      env,
    });
    if (created.code !== 0) throw new InfraError(`createdb ${PG_DATABASE} failed`);
  }
  inst.out.log(`postgres ready on 127.0.0.1:${ports.postgres} in ${elapsed(t0)}`);
}

/**
 * Stops the cluster with SIGINT, PostgreSQL's "fast" shutdown: SIGTERM ("smart") would wait for
 * every client (say, a test's connection pool) to disconnect.
 */
export async function stopPostgres(inst: Instance): Promise<void> {
  const pid = pgPid(inst);
  if (!pid) return;
  const p = pgPaths(inst);
  await stopProcess(pid, p.data, 'postgres', 'SIGINT', inst.stopTimeoutS, inst.out);
  // Only after a SIGKILL are the pid/lock files left behind. The whole group is dead by now, but the
  // postmaster may still be an unreaped zombie, which PostgreSQL would take for a live server and
  // refuse to start; so remove them here.
  const pidFile = path.join(p.data, 'postmaster.pid');
  if (readPidFile(pidFile) === pid) {
    fs.rmSync(pidFile, { force: true });
    for (const f of fs.readdirSync(p.root)) {
      if (f.startsWith('.s.PGSQL.')) fs.rmSync(path.join(p.root, f), { force: true });
    }
  }
}
