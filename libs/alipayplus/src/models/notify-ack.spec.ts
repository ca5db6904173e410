import { buildFailureAckBody, NOTIFY_ACK_BODY } from './notify-ack';

describe('notify acknowledgement bodies (protocol.md §1.7)', () => {
  it('is the fixed success ack, byte for byte', () => {
    expect(NOTIFY_ACK_BODY).toBe(
      '{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}',
    );
  });

  it('builds a failure ack with status F', () => {
    expect(
      buildFailureAckBody({ resultCode: 'INVALID_SIGNATURE', resultStatus: 'F', resultMessage: 'bad sig' }),
    ).toBe('{"result":{"resultCode":"INVALID_SIGNATURE","resultStatus":"F","resultMessage":"bad sig"}}');
  });

  it('builds a failure ack with status U and the code as default message', () => {
    expect(buildFailureAckBody({ resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' })).toBe(
      '{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U","resultMessage":"UNKNOWN_EXCEPTION"}}',
    );
  });

  it('escapes the message as JSON', () => {
    const body = buildFailureAckBody({
      resultCode: 'PARAM_ILLEGAL',
      resultStatus: 'F',
      resultMessage: 'a "b"\n',
    });

    expect(JSON.parse(body)).toEqual({
      result: { resultCode: 'PARAM_ILLEGAL', resultStatus: 'F', resultMessage: 'a "b"\n' },
    });
  });

  it('cuts the message to 256 characters (§6)', () => {
    const body = buildFailureAckBody({
      resultCode: 'PARAM_ILLEGAL',
      resultStatus: 'F',
      resultMessage: 'x'.repeat(300),
    });

    expect((JSON.parse(body) as { result: { resultMessage: string } }).result.resultMessage).toHaveLength(
      256,
    );
  });

  it.each([
    ['an empty code', { resultCode: '', resultStatus: 'F' as const }],
    ['a code over 64', { resultCode: 'C'.repeat(65), resultStatus: 'F' as const }],
    ['status S', { resultCode: 'SUCCESS', resultStatus: 'S' as unknown as 'F' }],
  ])('refuses %s with INVALID_ARGUMENT', (_label, input) => {
    expect(() => buildFailureAckBody(input)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
