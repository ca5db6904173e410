import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { LoggingSettings } from '@app/config';
import {
  CONFIGURATION_DOC,
  REGENERATE,
  renderConfigurationDoc,
  renderConfigurationMarkdown,
  SECTIONS,
  settingRows,
} from './config-docs';

const ROOT = path.join(__dirname, '..');

describe('docs/configuration.md (generated from the settings schemas)', () => {
  it('is up to date', () => {
    const expected = renderConfigurationDoc(ROOT);
    const file = path.join(ROOT, CONFIGURATION_DOC);
    const actual = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (actual !== expected) throw new Error(`${CONFIGURATION_DOC} is stale: run ${REGENERATE}`);
  });

  it.each(SECTIONS.map((s) => [s.title, s.schema] as const))(
    '%s: every setting has a description',
    (_, schema) => {
      const undescribed = settingRows(schema)
        .filter((row) => row.description.trim() === '')
        .map((row) => row.name);
      expect(undescribed).toEqual([]);
    },
  );

  it('lists the settings the README table had missed (issue 15)', () => {
    const doc = readFileSync(path.join(ROOT, CONFIGURATION_DOC), 'utf8');
    for (const name of [
      'COMPLETION_FLUSH_MS',
      'HINT_MIN_GAP_MS',
      'PARTNER_HTTP_MAX_SOCKETS',
      'TOMBSTONE_RETENTION_HOURS',
      'HTTP_HOST',
    ]) {
      expect(doc).toContain(`\`${name}\``);
    }
  });

  it('the logging settings it lists are the ones the logger reads', () => {
    const logger = readFileSync(path.join(ROOT, 'libs/observability/src/logger.ts'), 'utf8');
    const read = [...logger.matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1]).sort();
    expect(read).toEqual(Object.keys(LoggingSettings.shape).sort());
  });
});

describe('settingRows', () => {
  const schema = z.object({
    A_PORT: z.coerce.number().int().min(0).max(65535).default(3001).describe('the port'),
    A_URL: z.string().meta({ description: 'the password is in it', secret: true, values: 'a URL' }),
    A_TOKEN: z.string().default('s3cr3t').meta({ description: 'a token', secret: true }),
    A_MODE: z.enum(['on', 'off']).default('on').describe('on or off | both'),
    A_RATE: z.coerce.number().positive().optional().describe('per second'),
    A_EITHER: z.string().optional().meta({ description: 'one of two', required: 'A_EITHER or B' }),
  });

  it('renders values, default, required and description from the schema', () => {
    expect(settingRows(schema)).toEqual([
      {
        name: 'A_PORT',
        values: 'integer 0–65535',
        default: '`3001`',
        required: 'no',
        description: 'the port',
        secret: false,
      },
      {
        name: 'A_URL',
        values: 'a URL',
        default: '—',
        required: 'yes',
        description: 'the password is in it',
        secret: true,
      },
      {
        name: 'A_TOKEN',
        values: 'string',
        default: '(secret)',
        required: 'no',
        description: 'a token',
        secret: true,
      },
      {
        name: 'A_MODE',
        values: '`on`, `off`',
        default: '`on`',
        required: 'no',
        description: 'on or off | both',
        secret: false,
      },
      {
        name: 'A_RATE',
        values: 'number > 0',
        default: '—',
        required: 'no',
        description: 'per second',
        secret: false,
      },
      {
        name: 'A_EITHER',
        values: 'string',
        default: '—',
        required: 'A_EITHER or B',
        description: 'one of two',
        secret: false,
      },
    ]);
  });

  it('never prints a secret default, and escapes table pipes', () => {
    const md = renderConfigurationMarkdown([{ title: 'x', intro: 'y', schema }]);
    expect(md).not.toContain('s3cr3t');
    expect(md).toContain('on or off \\| both');
  });
});
