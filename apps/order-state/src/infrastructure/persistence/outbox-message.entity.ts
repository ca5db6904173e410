import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Transactional outbox: written with the change, published and then deleted by the relay (design.md §4). */
@Entity({ name: 'outbox' })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'event_id', type: 'varchar', length: 200 })
  eventId: string;

  @Column({ type: 'varchar', length: 200 })
  topic: string;

  @Column({ name: 'message_key', type: 'varchar', length: 64 })
  messageKey: string;

  /** The event as published: JSON text, forwarded byte for byte by the relay. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
