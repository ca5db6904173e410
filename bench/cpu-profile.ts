/**
 * BENCH_PROFILE=<file.cpuprofile>: a V8 CPU profile of this process around one measured phase
 * only (not the preload or the other rows), for finding what a candidate spends its CPU on. Open it
 * in Chrome DevTools, or print the top self times with `node scripts/cpu-profile-top.js <file>`.
 */
import { writeFileSync } from 'fs';
import { Session } from 'inspector';

export async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!file) return work();
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}
