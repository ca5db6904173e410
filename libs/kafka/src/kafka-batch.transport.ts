import {
  applyDecorators,
  ArgumentsHost,
  Catch,
  Controller,
  RpcExceptionFilter,
  UseFilters,
} from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Kafka } from 'kafkajs';
import type { ServiceMetrics } from '@app/observability';
import { lastValueFrom, Observable, throwError } from 'rxjs';
import { TopicName } from '@app/contracts';
import { BatchConsumer, BatchHandler, ConsumerHealth, DecodedMessage } from './batch-consumer';
import { DurableProducer } from './durable-producer';

export interface KafkaBatchTransportOptions {
  kafka: Kafka;
  groupId: string;
  deadLetters: DurableProducer;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  partitionsConsumedConcurrently?: number;
  /** See BatchConsumerOptions.isPoisonError. */
  isPoisonError?: (err: unknown) => boolean;
  /** See BatchConsumerOptions.health. */
  health?: ConsumerHealth;
  /** See BatchConsumerOptions.metrics. */
  metrics?: ServiceMetrics;
  /** See BatchConsumerOptions.mergePartitions. */
  mergePartitions?: boolean;
  /** See BatchConsumerOptions.fetch. */
  fetch?: { minBytes: number; maxWaitMs: number };
}

/**
 * A Nest transport strategy over kafkajs `eachBatch` (design.md §10): Nest's built-in Kafka server
 * hands over one message at a time and lets a throwing handler block its partition. Handlers are
 * bound with `@EventPattern(topic)` and receive `DecodedMessage[]` — one partition's validated batch.
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  private consumer?: BatchConsumer;

  constructor(private readonly options: KafkaBatchTransportOptions) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      const handlers: Partial<Record<TopicName, BatchHandler<TopicName>>> = {};
      for (const [pattern, handler] of this.messageHandlers) {
        handlers[pattern as TopicName] = async (messages: DecodedMessage<TopicName>[]) => {
          await lastValueFrom(this.transformToObservable(await handler(messages)), {
            defaultValue: undefined,
          });
        };
      }
      this.consumer = new BatchConsumer(this.options.kafka, {
        groupId: this.options.groupId,
        handlers,
        deadLetters: this.options.deadLetters,
        logger: this.logger,
        fromBeginning: this.options.fromBeginning,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        isPoisonError: this.options.isPoisonError,
        health: this.options.health,
        metrics: this.options.metrics,
        mergePartitions: this.options.mergePartitions,
        fetch: this.options.fetch,
      });
      const joined = this.consumer.whenJoined();
      await this.consumer.start();
      await joined;
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  on(): never {
    throw new Error('KafkaBatchTransport does not emit events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}

/**
 * Nest's default RPC exception filter replaces every error a handler throws with
 * `{ status: 'error', message: 'Internal server error' }`. The batch consumer needs the error itself:
 * `isPoisonError` reads PostgreSQL's SQLSTATE from it to find a message the database refuses. This
 * filter hands every error on unchanged; the consumer logs it and retries or dead-letters.
 */
@Catch()
export class PassErrorsToTransportFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Marks a controller whose `@EventPattern` handlers the batch transport calls. Use it instead of
 * `@Controller()`: it adds {@link PassErrorsToTransportFilter}, without which the poison isolation of
 * the batch consumer never sees a database error. (In a hybrid application the microservice is
 * initialised when it is connected, so a global filter cannot be added there.)
 */
export const BatchConsumers = (): ClassDecorator =>
  applyDecorators(Controller(), UseFilters(new PassErrorsToTransportFilter()));
