import { formatPorts, parseAssignments, parsePorts, pickPorts, portRange, portsIn } from './ports';

describe('port range', () => {
  it('ends just below the kernel ephemeral range', () => {
    expect(portRange(32768)).toEqual([20000, 32767]);
  });

  it('falls back to 20000-60999 when the ephemeral range starts too low to leave 1000 ports', () => {
    expect(portRange(20500)).toEqual([20000, 60999]);
    expect(portRange(Number.NaN)).toEqual([20000, 60999]);
  });
});

describe('ports file', () => {
  it('round-trips the three ports in the shell-style lines the bash harness wrote', () => {
    const ports = { kafka: 24001, kafkaController: 24002, postgres: 24003 };

    expect(formatPorts(ports)).toBe('KAFKA_PORT=24001\nKAFKA_CONTROLLER_PORT=24002\nPG_PORT=24003\n');
    expect(parsePorts(formatPorts(ports))).toEqual(ports);
  });

  it('rejects a file that lacks a port or holds a bad one', () => {
    expect(parsePorts('KAFKA_PORT=1\nPG_PORT=2\n')).toBeUndefined();
    expect(parsePorts('KAFKA_PORT=1\nKAFKA_CONTROLLER_PORT=x\nPG_PORT=2\n')).toBeUndefined();
    expect(parsePorts('KAFKA_PORT=1\nKAFKA_CONTROLLER_PORT=70000\nPG_PORT=2\n')).toBeUndefined();
  });

  it('collects every recorded port of sibling instances', () => {
    const taken = portsIn(['KAFKA_PORT=1\nKAFKA_CONTROLLER_PORT=2\nPG_PORT=3\n', 'PG_PORT=4\nOTHER=5\n']);

    expect([...taken].sort()).toEqual([1, 2, 3, 4]);
  });

  it('reads NAME=value lines of an env file, ignoring anything else', () => {
    const vars = parseAssignments(
      'noise\nKAFKA_BROKERS=127.0.0.1:1\n  DATABASE_URL=postgres://u:p@h:2/db  \n',
    );

    expect(Object.fromEntries(vars)).toEqual({
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: 'postgres://u:p@h:2/db',
    });
  });
});

describe('pickPorts', () => {
  /** A random source that yields the given ports of range [lo, hi] in turn. */
  const yielding = (lo: number, hi: number, ports: number[]) => {
    let i = 0;
    return () => (ports[i++ % ports.length] - lo + 0.5) / (hi - lo + 1);
  };

  it('skips ports taken by sibling instances, busy ports and repeats', async () => {
    const range: [number, number] = [20000, 20099];
    const busy = new Set([20003]);

    const picked = await pickPorts({
      range,
      taken: new Set([20001]),
      isFree: async (port) => !busy.has(port),
      random: yielding(20000, 20099, [20001, 20002, 20002, 20003, 20004, 20005]),
    });

    expect(picked).toEqual([20002, 20004, 20005]);
  });

  it('stays within the range', async () => {
    const picked = await pickPorts({ range: [20000, 20002], taken: new Set(), isFree: async () => true });

    expect([...picked].sort()).toEqual([20000, 20001, 20002]);
  });

  it('gives up after the given number of tries when too few ports are free', async () => {
    await expect(
      pickPorts({ range: [20000, 20009], taken: new Set(), isFree: async (p) => p === 20000, tries: 50 }),
    ).rejects.toThrow('no free ports in 20000-20009');
  });
});
