import { scalarArray, textArray, textArrayLiteral } from './sql-text';

// node-postgres's own conversion of a JS array (what the parameters went through before); untyped.
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

/** node-postgres's own literal for the array, with its NULL written as JSON's null (both read as NULL). */
const pgLiteral = (values: readonly (string | null | undefined)[]) =>
  `{${values.map((v) => (v == null ? 'null' : (prepareValue([v]) as string).slice(1, -1))).join(',')}}`;

describe('text[] parameters written by JSON.stringify', () => {
  const plain = [
    'notify:abc',
    '',
    'NULL',
    'null',
    ' spaced ',
    '{braces},commas',
    'quote " inside',
    'back \\ slash',
    'two \\\\n backslashes, then n',
    'ends in a backslash \\',
    '\\"',
    '{"paymentResult":{"resultCode":"SUCCESS","resultMessage":"a \\"quoted\\" word"}}',
    'ünïcødé 😀 ✓',
  ];
  it.each(plain.map((s) => [s]))('%j: the same literal as node-postgres writes', (s) => {
    expect(textArrayLiteral([s, null, s])).toBe(pgLiteral([s, null, s]));
  });

  it('reads undefined and null elements as NULL, and an empty array as {}', () => {
    expect(textArrayLiteral([undefined, null, 'a'])).toBe('{null,null,"a"}');
    expect(textArrayLiteral([])).toBe('{}');
  });

  it.each([
    ['line\nbreak'],
    ['tab\there'],
    ['\u0001'],
    ['lone \ud800 surrogate'],
    ['\\n (backslash, n) is fine'],
  ])('%j: an escape an array literal reads differently leaves it to node-postgres', (s) => {
    const literal = textArrayLiteral(['ok', s]);
    if (literal === undefined) {
      expect(textArray(['ok', s])).toEqual(['ok', s]);
    } else {
      // Only a false alarm may pass: the literal must then be node-postgres's own.
      expect(literal).toBe(pgLiteral(['ok', s]));
    }
  });

  it('refuses control characters and lone surrogates', () => {
    for (const s of ['\n', '\t', '\r', '\b', '\f', '\u0000', '\u001f', '\ud800', '\udfff']) {
      expect(textArrayLiteral([s])).toBeUndefined();
    }
  });

  it('random strings over the characters that matter: a literal is always node-postgres’s own (seeded)', () => {
    const alphabet = ['\\', '"', 'n', 'u', 'a', ',', '{', ' ', '\n', '\u0001', '\ud800', '😀', 'ü'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let literals = 0;
    for (let i = 0; i < 5000; i++) {
      const s = Array.from({ length: rnd(8) }, () => alphabet[rnd(alphabet.length)]).join('');
      const literal = textArrayLiteral([s]);
      if (literal !== undefined) {
        literals++;
        expect(literal).toBe(pgLiteral([s]));
      }
    }
    expect(literals).toBeGreaterThan(1000);
  });

  it('integers and booleans: the same literal as node-postgres writes, unquoted', () => {
    expect(scalarArray([1, 2, 30])).toBe('{1,2,30}');
    expect(scalarArray([true, false])).toBe('{true,false}');
    expect(scalarArray([])).toBe('{}');
    expect(() => scalarArray([1.5])).toThrow(/integer/);
  });
});
