import { SimulatorError } from '../errors';
import { mergeChaos, NO_CHAOS } from './chaos-settings';

describe('mergeChaos', () => {
  it('keeps unspecified settings and applies the given ones', () => {
    const merged = mergeChaos({ ...NO_CHAOS, notifyDropRate: 0.2 }, { http5xxRate: 0.5, latencyMs: [5, 10] });
    expect(merged).toEqual({ ...NO_CHAOS, notifyDropRate: 0.2, http5xxRate: 0.5, latencyMs: [5, 10] });
  });

  it('does not share the latency tuple with its input', () => {
    const input = { latencyMs: [1, 2] as [number, number] };
    const merged = mergeChaos({ ...NO_CHAOS }, input);
    input.latencyMs[0] = 99;
    expect(merged.latencyMs).toEqual([1, 2]);
  });

  it.each([
    [{ notifyDropRate: 1.5 }, 'notifyDropRate'],
    [{ inquiryUnknownRate: -0.1 }, 'inquiryUnknownRate'],
    [{ latencyMs: [10, 5] }, 'latencyMs'],
    [{ notifyMaxDelayMs: 1.5 }, 'notifyMaxDelayMs'],
    [{ rateLimitPerSecond: -1 }, 'rateLimitPerSecond'],
    [{ notifyDropRat: 0.1 }, 'notifyDropRat'],
  ])('refuses %j with INVALID_CHAOS naming the field', (update, field) => {
    let error: unknown;
    try {
      mergeChaos({ ...NO_CHAOS }, update);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimulatorError);
    expect((error as SimulatorError).code).toBe('INVALID_CHAOS');
    expect((error as SimulatorError).message).toContain(field);
  });
});
