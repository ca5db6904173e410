import {
  ExceptionEventV1Schema,
  InquiryHintV1Schema,
  OrderCommandV1Schema,
  OrderRegisteredV1Schema,
  ResultObservedV1Schema,
  StatusChangedV1Schema,
} from '@app/contracts';
import { loadPartners } from '@app/config';
import { generateTestKeyPair } from '../keys';
import {
  ANTOM_PARTNER,
  exceptionEvent,
  inquiryHintEvent,
  orderCommandEvent,
  orderRegisteredEvent,
  orderRegistration,
  partnerSetting,
  partnersJson,
  resultObservedEvent,
  statusChangedEvent,
  uniquePaymentRequestId,
} from '.';

describe('test data factories', () => {
  it.each([
    ['order-registered', OrderRegisteredV1Schema, orderRegisteredEvent],
    ['result-observed', ResultObservedV1Schema, resultObservedEvent],
    ['status-changed', StatusChangedV1Schema, statusChangedEvent],
    ['exceptions', ExceptionEventV1Schema, exceptionEvent],
    ['inquiry-hint', InquiryHintV1Schema, inquiryHintEvent],
    ['order-commands', OrderCommandV1Schema, orderCommandEvent],
  ] as const)(
    'the %s factory builds an event its contract accepts, the same every time',
    (_name, schema, build) => {
      expect(schema.safeParse(build()).error).toBeUndefined();
      expect(build()).toEqual(build());
    },
  );

  it('applies overrides, and derives the event id and order number from them', () => {
    const e = statusChangedEvent({ paymentRequestId: 'pr-9', version: 2, from: 'init', to: 'success' });
    expect(e).toMatchObject({ eventId: 'status:pr-9:2', orderNo: 'order-pr-9', from: 'init', to: 'success' });
    expect(statusChangedEvent({ eventId: 'mine' }).eventId).toBe('mine');
    expect(resultObservedEvent({ source: 'inquiry', outcome: 'FAIL', resultCode: 'X' }).eventId).toBe(
      'inquiry:pr-1:FAIL:X',
    );
    expect(exceptionEvent({ exceptionId: '7', type: 'resolved' }).eventId).toBe('exception:pr-1:7:resolved');
    expect(orderRegisteredEvent({ paymentRequestId: 'pr-2', paymentExpiryTime: null })).toMatchObject({
      eventId: 'order:pr-2',
      orderNo: 'order-pr-2',
      paymentExpiryTime: null,
    });
    expect(inquiryHintEvent({ ...ANTOM_PARTNER })).toMatchObject({ clientId: 'T_AMS_1', dialect: 'antom' });
  });

  it('builds order registrations and unique payment request ids', () => {
    expect(orderRegistration({ paymentRequestId: 'pr-3' })).toEqual({
      paymentRequestId: 'pr-3',
      clientId: 'T_APS_1',
      orderNo: 'order-pr-3',
      dialect: 'alipayplus',
      amount: { value: '1000', currency: 'JPY' },
    });
    expect(uniquePaymentRequestId('paid')).toMatch(/^paid-[0-9a-f]{10}$/);
    expect(uniquePaymentRequestId('paid')).not.toBe(uniquePaymentRequestId('paid'));
  });

  it('builds partner settings that libs/config loads', () => {
    const ours = generateTestKeyPair();
    const theirs = generateTestKeyPair();
    const json = partnersJson(
      partnerSetting({ peerPublicKey: theirs.publicKeyBase64 }),
      partnerSetting({
        ...ANTOM_PARTNER,
        peerPublicKeys: [{ keyVersion: '2', publicKey: theirs.publicKeyBase64 }],
      }),
    );
    const partners = loadPartners(
      { PARTNERS_JSON: json },
      { TEST_PARTNER_PRIVATE_KEY: ours.privateKeyBase64 },
    );
    expect(partners.map((p) => [p.clientId, p.dialect, p.peerPublicKeys.length])).toEqual([
      ['T_APS_1', 'alipayplus', 1],
      ['T_AMS_1', 'antom', 1],
    ]);
  });
});
