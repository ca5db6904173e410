import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The order's timeline: every observation once per eventId, whether or not it changed the status. */
@Entity({ name: 'payment_observations' })
export class PaymentObservationEntity {
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 200 })
  eventId: string;

  /** Arrival order; parked observations are replayed in this order when their order registers. */
  @Column({ type: 'bigint', generated: 'increment' })
  seq: string;

  @Column({ name: 'payment_request_id', type: 'varchar', length: 64 })
  paymentRequestId: string;

  /** The partner that reported it; null on rows written before the column existed. */
  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  dialect: string | null;

  @Column({ type: 'varchar', length: 16 })
  source: string;

  @Column({ type: 'varchar', length: 20 })
  outcome: string;

  @Column({ name: 'result_code', type: 'varchar', length: 64 })
  resultCode: string;

  @Column({ name: 'result_message', type: 'varchar', length: 256, nullable: true })
  resultMessage: string | null;

  @Column({ name: 'payment_id', type: 'varchar', length: 64, nullable: true })
  paymentId: string | null;

  @Column({ name: 'amount_value', type: 'numeric', precision: 20, scale: 0, nullable: true })
  amountValue: string | null;

  @Column({ name: 'amount_currency', type: 'char', length: 3, nullable: true })
  amountCurrency: string | null;

  @Column({ name: 'payment_time', type: 'timestamptz', nullable: true })
  paymentTime: Date | null;

  @Column({ name: 'raw_body', type: 'text', nullable: true })
  rawBody: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  /** parked | applied | duplicate | ignored | conflict | amount_mismatch | cancel_failed | informational | partner_mismatch */
  @Column({ type: 'varchar', length: 20 })
  effect: string;

  @Column({ name: 'status_after', type: 'varchar', length: 16, nullable: true })
  statusAfter: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note: string | null;

  /** The observer's attention ({ reason, detail }) when it could not settle the payment. */
  @Column({ type: 'jsonb', nullable: true })
  attention: Record<string, unknown> | null;
}
