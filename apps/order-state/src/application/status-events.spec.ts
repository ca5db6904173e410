import { ExceptionEventV1Schema, StatusChangedV1Schema } from '@app/contracts';
import type { OrderSnapshot, Transition } from '../domain/order-ledger';
import type { ExceptionRecord } from './ports';
import { exceptionEventFor, transitionToEvent } from './status-events';

const order: OrderSnapshot = {
  paymentRequestId: 'p1',
  clientId: 'c',
  orderNo: 'o1',
  dialect: 'antom',
  amount: { value: '500', currency: 'JPY' },
  status: 'success',
  version: 2,
  paymentExpiryTime: '2026-01-01T00:01:00.000Z',
  resultCode: 'SUCCESS',
  resultSource: 'inquiry',
  paymentId: 'PAY-1',
  cancelRefused: false,
  openException: null,
};

describe('status-changed additive fields (issue 11)', () => {
  it('carries paymentId, paymentTime and the reported amount of the observation that caused the change', () => {
    const t: Transition = {
      order,
      from: 'init',
      to: 'success',
      version: 2,
      cause: {
        eventId: 'e1',
        paymentRequestId: 'p1',
        clientId: 'c',
        dialect: 'antom',
        source: 'inquiry',
        outcome: 'SUCCESS',
        resultCode: 'SUCCESS',
        paymentId: 'PAY-1',
        amount: { value: '500', currency: 'JPY' },
        paymentTime: '2026-01-01T00:00:30.000Z',
      },
    };
    const event = StatusChangedV1Schema.parse(transitionToEvent(t));
    expect(event).toMatchObject({
      paymentId: 'PAY-1',
      paymentTime: '2026-01-01T00:00:30.000Z',
      reportedAmount: { value: '500', currency: 'JPY' },
      causeEventId: 'e1',
    });
  });

  it('leaves them out when the cause had none', () => {
    const t: Transition = {
      order: { ...order, status: 'fail', paymentId: null },
      from: 'init',
      to: 'fail',
      version: 2,
      cause: {
        eventId: 'e1',
        paymentRequestId: 'p1',
        clientId: 'c',
        dialect: 'antom',
        source: 'notify',
        outcome: 'FAIL',
        resultCode: 'X',
      },
    };
    const event = transitionToEvent(t);
    expect(event).not.toHaveProperty('paymentId');
    expect(event).not.toHaveProperty('paymentTime');
    expect(event).not.toHaveProperty('reportedAmount');
  });
});

describe('exception events', () => {
  const row: ExceptionRecord = {
    id: '42',
    paymentRequestId: 'p1',
    clientId: 'c',
    dialect: 'antom',
    reason: 'AMOUNT_MISMATCH',
    detail: 'd',
    openedAt: '2026-01-01T00:00:00.000Z',
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
    resolutionNote: null,
    version: 1,
  };

  it('opened, updated, resolved by version and resolution; the id names (exception, version)', () => {
    expect(ExceptionEventV1Schema.parse(exceptionEventFor(row, 'init'))).toMatchObject({
      eventId: 'exception:42:1',
      type: 'opened',
      exceptionId: '42',
    });
    expect(exceptionEventFor({ ...row, version: 2 }, 'init').type).toBe('updated');
    const resolved = exceptionEventFor(
      {
        ...row,
        version: 3,
        resolvedAt: new Date().toISOString(),
        resolvedBy: 'ann',
        resolution: 'accept',
        resolutionNote: 'ok',
      },
      'success',
    );
    expect(ExceptionEventV1Schema.parse(resolved)).toMatchObject({
      type: 'resolved',
      resolution: 'accept',
      resolvedBy: 'ann',
      note: 'ok',
      orderStatus: 'success',
    });
  });

  it('a re-inquiry is an update that names the resolution, who and why', () => {
    expect(exceptionEventFor({ ...row, version: 2 }, 'init', { by: 'bob', note: 'again' })).toMatchObject({
      type: 'updated',
      resolution: 'reinquire',
      resolvedBy: 'bob',
      note: 'again',
      resolvedAt: null,
    });
  });
});
