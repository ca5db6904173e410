import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'anomalies' })
export class AnomalyEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'payment_request_id', type: 'varchar', length: 64 })
  paymentRequestId: string;

  /** conflict | amount_mismatch | cancel_failed | registration_conflict */
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ name: 'event_id', type: 'varchar', length: 200 })
  eventId: string;

  @Column({ type: 'jsonb' })
  detail: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
