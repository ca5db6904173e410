import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Dialect, OrderStatus } from '@app/contracts';
import type { AnswerDoubt, DoneReason, SchedulePhase, VerifyReason } from '../../domain/schedule-entry';

/**
 * The table's shape for TypeORM (the migration is the source of truth; synchronize is never on).
 * Reads and writes go through set-based SQL in InquiryScheduleRepository.
 */
@Entity({ name: 'inquiry_schedule' })
export class InquiryScheduleEntity {
  @PrimaryColumn({ name: 'payment_request_id', type: 'varchar', length: 64 })
  paymentRequestId: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'varchar', length: 16 })
  dialect: Dialect;

  @Column({ name: 'amount_value', type: 'numeric', precision: 20, scale: 0 })
  amountValue: string;

  @Column({ name: 'amount_currency', type: 'char', length: 3 })
  amountCurrency: string;

  @Column({ name: 'payment_expiry_time', type: 'timestamptz' })
  paymentExpiryTime: Date;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt: Date;

  @Column({ type: 'varchar', length: 8 })
  phase: SchedulePhase;

  @Column({ name: 'order_status', type: 'varchar', length: 16 })
  orderStatus: OrderStatus;

  @Column({ name: 'last_version', type: 'integer' })
  lastVersion: number;

  @Column({ name: 'next_due_at', type: 'timestamptz', nullable: true })
  nextDueAt: Date | null;

  @Column({ name: 'lease_owner', type: 'varchar', length: 100, nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ name: 'inquiry_attempts', type: 'integer', default: 0 })
  inquiryAttempts: number;

  @Column({ name: 'cancel_attempts', type: 'integer', default: 0 })
  cancelAttempts: number;

  @Column({ name: 'cancel_requested_at', type: 'timestamptz', nullable: true })
  cancelRequestedAt: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'last_result_code', type: 'varchar', length: 64, nullable: true })
  lastResultCode: string | null;

  @Column({ name: 'attention_code', type: 'varchar', length: 32, nullable: true })
  attentionCode: string | null;

  @Column({ name: 'attention_detail', type: 'varchar', length: 300, nullable: true })
  attentionDetail: string | null;

  @Column({ name: 'done_reason', type: 'varchar', length: 16, nullable: true })
  doneReason: DoneReason | null;

  /** When an inquiry hint moved this row; a hint moves a row at most once. */
  @Column({ name: 'hinted_at', type: 'timestamptz', nullable: true })
  hintedAt: Date | null;

  @Column({ name: 'answer_doubt', type: 'varchar', length: 32, nullable: true })
  answerDoubt: AnswerDoubt | null;

  @Column({ name: 'reported_attention', type: 'varchar', length: 32, nullable: true })
  reportedAttention: string | null;

  @Column({ name: 'verify_reason', type: 'varchar', length: 16, nullable: true })
  verifyReason: VerifyReason | null;

  @Column({ name: 'verify_until', type: 'timestamptz', nullable: true })
  verifyUntil: Date | null;

  @Column({ name: 'reversal_of', type: 'varchar', length: 40, nullable: true })
  reversalOf: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
