import type { Dialect } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ClaimedEntry, ScheduleEntry } from '../../domain/schedule-entry';
import {
  ClaimRequest,
  Completion,
  ExceptionCommandResult,
  ForceInquiryResult,
  HintedOrder,
  ScheduleRepository,
  ScheduleView,
  ScheduleWrite,
} from '../../application/ports';
import * as commands from './schedule-commands.sql';
import {
  claimDue,
  claimDueAndPeek,
  completeRows,
  markCancelRequested,
  nextDueAfter,
} from './schedule-lease.sql';
import { columns, InsertRaceError, retrying, Row, toEntry, toView } from './schedule-rows';
import { insertEntries, updateEntries } from './schedule-writes.sql';

/**
 * Set-based SQL over `inquiry_schedule`: each call is a fixed number of statements whatever the batch
 * size (arrays go through `unnest`). Times come from the poller's clock (passed in), so that due
 * times, claims and leases are compared on one clock. The SQL lives beside this file by concern:
 * status-change writes (schedule-writes.sql.ts), the polling loop's leases (schedule-lease.sql.ts),
 * commands on one row (schedule-commands.sql.ts); row mapping and retries in schedule-rows.ts.
 *
 * Several rows are only ever locked in key order (explicitly, with ORDER BY … FOR UPDATE), so the
 * status consumer, the completion writer and hints never wait on each other in a cycle; the claim
 * skips locked rows and never waits at all. A deadlock reported anyway is retried.
 */
@Injectable()
export class InquiryScheduleRepository extends ScheduleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async applyStatusChanges(
    ids: readonly string[],
    plan: (existing: ReadonlyMap<string, ScheduleEntry>) => ReadonlyMap<string, ScheduleWrite>,
  ): Promise<{ inserted: number; updated: number }> {
    if (ids.length === 0) return { inserted: 0, updated: 0 };
    const sorted = [...new Set(ids)].sort();
    return retrying(() =>
      this.dataSource.transaction('READ COMMITTED', async (em) => {
        const rows: Row[] = await em.query(
          `SELECT ${columns()} FROM inquiry_schedule WHERE payment_request_id = ANY($1::text[])
            ORDER BY payment_request_id FOR UPDATE`,
          [sorted],
        );
        const writes = [...plan(new Map(rows.map((r) => [r.payment_request_id, toEntry(r)]))).values()];
        const inserts = writes.filter((w) => w.isNew);
        const updates = writes.filter((w) => !w.isNew);
        const inserted = await insertEntries(em, inserts);
        if (inserted < inserts.length)
          throw new InsertRaceError('a concurrent writer inserted the same order');
        await updateEntries(em, updates);
        return { inserted, updated: updates.length };
      }),
    );
  }

  claimDue(input: ClaimRequest): Promise<ClaimedEntry[]> {
    return claimDue(this.dataSource, input);
  }

  override claimDueAndPeek(
    input: ClaimRequest,
  ): Promise<{ claimed: ClaimedEntry[]; nextDueAt: number | null }> {
    return claimDueAndPeek(this.dataSource, input);
  }

  nextDueAfter(clientId: string, dialect: Dialect, after: number): Promise<number | null> {
    return nextDueAfter(this.dataSource, clientId, dialect, after);
  }

  async complete(completions: readonly Completion[]): Promise<number> {
    if (completions.length === 0) return 0;
    return retrying(() => completeRows(this.dataSource, completions));
  }

  requestReversal(
    paymentRequestId: string,
    reversalKey: string,
    now: number,
  ): Promise<ExceptionCommandResult> {
    return commands.requestReversal(this.dataSource, paymentRequestId, reversalKey, now);
  }

  reinquire(paymentRequestId: string, now: number): Promise<ExceptionCommandResult> {
    return commands.reinquire(this.dataSource, paymentRequestId, now);
  }

  markCancelRequested(paymentRequestId: string, leaseToken: string, now: number): Promise<boolean> {
    return markCancelRequested(this.dataSource, paymentRequestId, leaseToken, now);
  }

  forceInquiry(paymentRequestId: string, now: number): Promise<ForceInquiryResult> {
    return commands.forceInquiry(this.dataSource, paymentRequestId, now);
  }

  async hintInquiry(hints: readonly HintedOrder[], now: number, minGapMs: number): Promise<number> {
    if (hints.length === 0) return 0;
    // Repeated hints need no de-duplication: rows are matched with EXISTS and locked in key order.
    return retrying(() => commands.hintRows(this.dataSource, hints, now, minGapMs));
  }

  pruneTombstones(before: number, limit: number): Promise<number> {
    return commands.pruneTombstones(this.dataSource, before, limit);
  }

  async find(paymentRequestId: string): Promise<ScheduleView | null> {
    const [r]: Row[] = await this.dataSource.query(
      `SELECT ${columns()} FROM inquiry_schedule WHERE payment_request_id = $1`,
      [paymentRequestId],
    );
    return r ? toView(r) : null;
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
