/**
 * BENCH_PROFILE=<file.cpuprofile>: a V8 CPU profile of this process around one measured phase
 * only (not the preload or the other rows), for finding what a candidate spends its CPU on. Open it
 * in Chrome DevTools, or print the top self times with `node scripts/cpu-profile-top.js <file>`.
 * BENCH_HEAP_PROFILE=<file.heapprofile>: a sampling heap profile of the same phase (what allocates,
 * i.e. what the garbage collector's share comes from); open it in Chrome DevTools (Memory tab).
 */
import { writeFileSync } from 'fs';
import { Session } from 'inspector';

export async function profiled<T>(
  file: string | undefined,
  work: () => Promise<T>,
  heapFile = process.env.BENCH_HEAP_PROFILE,
): Promise<T> {
  if (!file && !heapFile) return work();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  if (file) {
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  if (heapFile) {
    await post('HeapProfiler.enable');
    // Keep what was collected too: the point is allocation, not what stays live.
    await post('HeapProfiler.startSampling', {
      samplingInterval: 32768,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  try {
    return await work();
  } finally {
    if (file) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
    }
    if (heapFile) {
      const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
      writeFileSync(heapFile, JSON.stringify(profile));
    }
    session.disconnect();
  }
}
