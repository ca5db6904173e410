import { DeadLetterV1Schema } from '@app/contracts';
import { DEAD_LETTER_VALUE_MAX_BYTES, deadLetterFor } from './dead-letter';
import { mayRetry, retryDelayMs } from './retry';

const msg = (value: Buffer | null) => ({
  topic: 'payments.status-changed.v1',
  partition: 2,
  offset: '41',
  key: Buffer.from('p1'),
  value,
});

describe('deadLetterFor', () => {
  it('writes a valid payments.dlq.v1 letter with the reason and a deterministic id', () => {
    const letter = deadLetterFor(msg(Buffer.from('not json')), 'value is not JSON', 'ledger', new Date(0));
    expect(DeadLetterV1Schema.parse(letter)).toEqual(letter);
    expect(letter).toMatchObject({
      eventId: 'dlq:ledger:payments.status-changed.v1:2:41',
      originalTopic: 'payments.status-changed.v1',
      partition: 2,
      offset: '41',
      key: 'p1',
      value: 'not json',
      valueEncoding: 'utf8',
      reason: 'value is not JSON',
      consumerGroup: 'ledger',
    });
  });

  it('keeps bytes that are not UTF-8 as base64, and an empty value as null', () => {
    expect(deadLetterFor(msg(Buffer.from([0xff, 0xfe])), 'r', 'g')).toMatchObject({
      value: '//4=',
      valueEncoding: 'base64',
    });
    expect(deadLetterFor(msg(null), 'empty message value', 'g')).toMatchObject({ value: null });
  });

  it('cuts a large value and says so', () => {
    const big = Buffer.alloc(DEAD_LETTER_VALUE_MAX_BYTES + 10, 'a');
    const letter = deadLetterFor(msg(big), 'too big', 'g');
    expect(letter.value).toHaveLength(DEAD_LETTER_VALUE_MAX_BYTES);
    expect(letter).toMatchObject({ valueTruncated: true, valueBytes: big.length });
  });

  it('cuts a long reason to what the contract allows', () => {
    expect(deadLetterFor(msg(null), 'x'.repeat(5000), 'g').reason).toHaveLength(4000);
  });
});

describe('retry policy', () => {
  it('doubles the delay per attempt up to the cap', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 50].map((a) => retryDelayMs(a, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('retries without end unless maxAttempts is set', () => {
    expect(mayRetry(1_000_000)).toBe(true);
    expect(mayRetry(2, { maxAttempts: 3 })).toBe(true);
    expect(mayRetry(3, { maxAttempts: 3 })).toBe(false);
  });
});
