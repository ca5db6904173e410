// Child-process entry of one contender run: `fork`ed by compare.ts, receives its RunSpec as the first
// IPC message, answers 'seeded' then 'result' (or 'error'), and exits.
import { Logger } from '@nestjs/common';
import { ChildMessage, ContenderFactory, runContender } from './contender';
import { graphileWorkerContender } from './graphile-worker';
import { oursContender } from './ours';
import { pgBossContender } from './pg-boss';
import type { ContenderName, RunSpec } from './settings';

const FACTORIES: Record<ContenderName, ContenderFactory> = {
  ours: oursContender,
  pgBoss: pgBossContender,
  graphileWorker: graphileWorkerContender,
};

Logger.overrideLogger(['error', 'warn']);

process.once('message', (spec: RunSpec) => {
  runContender(spec, FACTORIES[spec.contender]).then(
    (result) => process.send!(result, () => process.exit(0)),
    (err: Error) =>
      process.send!({ type: 'error', message: err.stack ?? err.message } satisfies ChildMessage, () =>
        process.exit(1),
      ),
  );
});
