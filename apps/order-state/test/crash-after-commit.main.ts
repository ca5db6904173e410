// order-state with a failpoint, run as its own process by order-state.int-spec.ts ("crash between the
// DB commit and the offset commit"; from dist: `npm run build` first). It is main.ts plus one decorator
// of the OrderRepository port: once a transaction that stored an observation of
// FAILPOINT_CRASH_AFTER_APPLY (a paymentRequestId) has committed, the process SIGKILLs itself, before
// the consumer returns and so before the Kafka offsets are committed: the crash at-least-once
// consumption must survive. Production code knows nothing of it.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runService } from '@app/observability';
import { OrderRepository, OrderTransaction } from '../src/application/ports';
import { bootstrapOrderState } from '../src/bootstrap';
import { loadOrderStateConfig } from '../src/config';
import { PostgresOrderRepository } from '../src/infrastructure/persistence/postgres-order-repository';

export class CrashAfterCommit extends OrderRepository {
  private readonly logger = new Logger('failpoint');

  constructor(
    private readonly inner: OrderRepository,
    private readonly paymentRequestId: string,
  ) {
    super();
  }

  async transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    let hit = false;
    const result = await this.inner.transaction((tx) => work(this.watch(tx, () => (hit = true))));
    if (hit) {
      this.logger.warn(
        `FAILPOINT: crashing after the DB commit, before the offset commit (${this.paymentRequestId})`,
      );
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined); // never returns: the signal ends the process
    }
    return result;
  }

  /** The transaction as is, but telling when it stores an observation of the failpoint's order. */
  private watch(tx: OrderTransaction, onHit: () => void): OrderTransaction {
    const id = this.paymentRequestId;
    return new Proxy(tx, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop);
        if (typeof value !== 'function') return value;
        if (prop !== 'insertObservations') return value.bind(target);
        const insert: OrderTransaction['insertObservations'] = (observations, results) => {
          if (observations.some((o) => o.paymentRequestId === id)) onHit();
          return target.insertObservations(observations, results);
        };
        return insert;
      },
    });
  }
}

const failpoint = process.env.FAILPOINT_CRASH_AFTER_APPLY;
if (!failpoint) throw new Error('FAILPOINT_CRASH_AFTER_APPLY (a paymentRequestId) is not set');

runService('order-state', async () =>
  bootstrapOrderState(loadOrderStateConfig(), {
    overrides: [
      {
        provide: OrderRepository,
        useFactory: (ds: DataSource) => new CrashAfterCommit(new PostgresOrderRepository(ds), failpoint),
        inject: [DataSource],
      },
    ],
  }),
);
