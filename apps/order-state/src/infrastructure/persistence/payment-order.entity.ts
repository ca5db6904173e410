import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Dialect, OrderStatus } from '@app/contracts';

@Entity({ name: 'payment_orders' })
export class PaymentOrderEntity {
  @PrimaryColumn({ name: 'payment_request_id', type: 'varchar', length: 64 })
  paymentRequestId: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ name: 'order_no', type: 'varchar', length: 64 })
  orderNo: string;

  @Column({ type: 'varchar', length: 16 })
  dialect: Dialect;

  @Column({ name: 'amount_value', type: 'numeric', precision: 20, scale: 0 })
  amountValue: string;

  @Column({ name: 'amount_currency', type: 'char', length: 3 })
  amountCurrency: string;

  @Column({ type: 'varchar', length: 16 })
  status: OrderStatus;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'payment_expiry_time', type: 'timestamptz' })
  paymentExpiryTime: Date;

  @Column({ name: 'result_code', type: 'varchar', length: 64, nullable: true })
  resultCode: string | null;

  @Column({ name: 'result_source', type: 'varchar', length: 16, nullable: true })
  resultSource: string | null;

  @Column({ name: 'payment_id', type: 'varchar', length: 64, nullable: true })
  paymentId: string | null;

  /** The partner refused this order's cancel (issue 11 row 7): a later SUCCESS is taken. */
  @Column({ name: 'cancel_refused', type: 'boolean', default: false })
  cancelRefused: boolean;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'final_at', type: 'timestamptz', nullable: true })
  finalAt: Date | null;
}
