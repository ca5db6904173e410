import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  ModuleMetadata,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import {
  subscribeToPaymentExceptions,
  subscribeToPaymentStatus,
  type ExceptionSubscriptionOptions,
  type StatusSubscriptionOptions,
  type Subscription,
} from '../subscribe';

export interface PaymentEventsModuleOptions {
  /** Subscribe to payments.status-changed.v1 with these options. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each subscription picks its store's Tx
  status?: StatusSubscriptionOptions<any>;
  /** Subscribe to payments.exceptions.v1 with these options. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  exceptions?: ExceptionSubscriptionOptions<any>;
  /** Wait for the consumer group to be joined before the application finishes booting (default true). */
  waitForJoin?: boolean;
  /** How long to wait for the join before the boot fails (default 60 s). */
  joinTimeoutMs?: number;
}

export interface PaymentEventsModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inject?: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...deps: any[]) => PaymentEventsModuleOptions | Promise<PaymentEventsModuleOptions>;
}

export const PAYMENT_EVENTS_OPTIONS = Symbol('PAYMENT_EVENTS_OPTIONS');

/**
 * The subscriptions of a Nest service: started when the application boots, stopped (the event in
 * hand finishes and commits) when it closes. Inject it to read `failure` in a health check.
 */
@Injectable()
export class PaymentEventsSubscriptions implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly running: Subscription[] = [];

  constructor(@Inject(PAYMENT_EVENTS_OPTIONS) private readonly options: PaymentEventsModuleOptions) {}

  async onApplicationBootstrap(): Promise<void> {
    const { status, exceptions, waitForJoin, joinTimeoutMs = 60_000 } = this.options;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (status) this.running.push(await subscribeToPaymentStatus(status));
      if (exceptions) this.running.push(await subscribeToPaymentExceptions(exceptions));
      if (!(waitForJoin ?? true)) return;
      const timeout = new Promise<never>((_, reject) => {
        const why = `payment event subscriptions did not join their groups within ${joinTimeoutMs} ms`;
        timer = setTimeout(() => reject(new Error(why)), joinTimeoutMs);
      });
      await Promise.race([Promise.all(this.running.map((s) => s.joined)), timeout]);
    } catch (err) {
      await this.onModuleDestroy(); // a failed boot must not leave consumers behind
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.running.splice(0).map((s) => s.stop()));
  }

  get subscriptions(): readonly Subscription[] {
    return this.running;
  }

  /** Why a subscription stopped for good, or null while all consume. */
  get failure(): string | null {
    return this.running.map((s) => s.failure).find((f) => f !== null) ?? null;
  }
}

/**
 * Nest wrapper of `subscribeToPaymentStatus` / `subscribeToPaymentExceptions`. Handlers are usually
 * methods of the service's providers, so `forRootAsync` with `inject` is the common form:
 *
 *     PaymentEventsModule.forRootAsync({
 *       imports: [LedgerModule],
 *       inject: [LedgerService, Pool],
 *       useFactory: (ledger: LedgerService, pool: Pool) => ({
 *         status: { brokers, groupId: 'ledger', store: new PostgresVersionStore({ pool }),
 *                   handler: (event, ctx) => ledger.apply(event, ctx.tx) },
 *       }),
 *     })
 */
@Module({})
export class PaymentEventsModule {
  static forRoot(options: PaymentEventsModuleOptions): DynamicModule {
    return PaymentEventsModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: PaymentEventsModuleAsyncOptions): DynamicModule {
    return {
      module: PaymentEventsModule,
      imports: options.imports ?? [],
      providers: [
        { provide: PAYMENT_EVENTS_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        PaymentEventsSubscriptions,
      ],
      exports: [PaymentEventsSubscriptions],
    };
  }
}
