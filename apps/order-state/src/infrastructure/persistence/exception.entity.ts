import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Dialect, ExceptionReason, ExceptionResolution } from '@app/contracts';

/** An order's exception (migration 1796000000000): at most one open (resolved_at null) per order. */
@Entity({ name: 'exceptions' })
export class ExceptionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'payment_request_id', type: 'varchar', length: 64 })
  paymentRequestId: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'varchar', length: 16 })
  dialect: Dialect;

  @Column({ type: 'varchar', length: 32 })
  reason: ExceptionReason;

  @Column({ type: 'varchar', length: 500 })
  detail: string;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  /** The observation behind the latest cause: { eventId, code, source, note }. */
  @Column({ name: 'last_evidence', type: 'jsonb' })
  lastEvidence: Record<string, unknown>;

  @Column({ name: 'last_evidence_at', type: 'timestamptz' })
  lastEvidenceAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'resolved_by', type: 'varchar', length: 100, nullable: true })
  resolvedBy: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution: Exclude<ExceptionResolution, 'reinquire'> | null;

  @Column({ name: 'resolution_note', type: 'varchar', length: 500, nullable: true })
  resolutionNote: string | null;

  /** Changes so far; change n is published as event `exception:<id>:<n>`. */
  @Column({ type: 'integer' })
  version: number;
}
