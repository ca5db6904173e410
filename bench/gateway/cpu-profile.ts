// Splits a V8 sampling profile (node --cpu-prof) of the gateway into the phases the bench reports.
import { readFileSync } from 'fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const PHASES = ['verify', 'jsonSchema', 'kafka', 'ackSign', 'gc', 'rest'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * The phase of one frame, or undefined when the frame says nothing (then its caller decides). The
 * innermost frame that names a phase wins: JSON.stringify called by kafkajs is Kafka, zod called by
 * parseNotification is schema, buildSignContent under verifySignedMessage is verification.
 */
function framePhase({ functionName, url }: ProfileNode['callFrame']): Phase | 'idle' | undefined {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (url.includes('/node_modules/kafkajs/') || url.includes('/libs/kafka/')) return 'kafka';
  if (functionName === 'verifySignedMessage' || functionName === 'verifyContent') return 'verify';
  if (url.includes('/node_modules/zod/')) return 'jsonSchema';
  if (['parseNotification', 'encodeEvent', 'auditCopy', 'reportedResultFields'].includes(functionName)) {
    return 'jsonSchema';
  }
  if (url.includes('ack-signer')) return 'ackSign';
  return undefined;
}

export interface PhaseSplit {
  /** Busy samples (not idle) in the window, per phase. */
  samples: Record<Phase, number>;
  busy: number;
  /** Whether the samples were cut to the measured window (else the whole profile was used). */
  windowed: boolean;
}

/**
 * Counts the profile's samples per phase between fromUs and toUs (CLOCK_MONOTONIC µs, the clock V8
 * stamps samples with on Linux, and process.hrtime's).
 */
export function splitProfile(file: string, fromUs: number, toUs: number): PhaseSplit {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const memo = new Map<number, Phase | 'idle'>();
  const phaseOf = (id: number): Phase | 'idle' => {
    const known = memo.get(id);
    if (known) return known;
    const own = framePhase(byId.get(id)!.callFrame);
    const up = parent.get(id);
    const phase = own ?? (up === undefined ? 'rest' : phaseOf(up));
    memo.set(id, phase);
    return phase;
  };
  const count = (windowed: boolean): PhaseSplit => {
    const samples = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
    let t = profile.startTime;
    let busy = 0;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i];
      if (windowed && (t < fromUs || t > toUs)) return;
      const phase = phaseOf(id);
      if (phase === 'idle') return;
      samples[phase]++;
      busy++;
    });
    return { samples, busy, windowed };
  };
  const inWindow = count(true);
  return inWindow.busy >= 100 ? inWindow : count(false);
}
