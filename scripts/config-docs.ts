/**
 * docs/configuration.md from the services' zod settings schemas (issue 15): each setting's rule, default
 * and description live together in the schema, and this renders them, so the reference cannot drift.
 * `npm run docs:config` writes the file; scripts/config-docs.spec.ts fails when it is stale.
 */
import { execFileSync } from 'child_process';
import { z } from 'zod';
import { LoggingSettings } from '../libs/config/src/common-settings';
import { SimulatorSettings } from '../apps/alipayplus-simulator/src/config';
import { InquiryPollerSettings } from '../apps/inquiry-poller/src/config';
import { NotifyGatewaySettings } from '../apps/notify-gateway/src/config';
import { OrderStateSettings } from '../apps/order-state/src/config';

export const CONFIGURATION_DOC = 'docs/configuration.md';
export const REGENERATE = 'npm run docs:config';

/** What a setting's `.describe()` / `.meta()` may say beside its rule. */
export interface SettingMeta {
  description?: string;
  /** Never printed (its default included): the value holds a password or a token. */
  secret?: boolean;
  /** The allowed values in words, where the rule itself says too little (a refinement, a transform). */
  values?: string;
  /** When the setting is required only together with or instead of others. */
  required?: string;
}

export interface SettingRow {
  name: string;
  values: string;
  default: string;
  required: string;
  description: string;
  secret: boolean;
}

export interface ConfigSection {
  title: string;
  intro: string;
  schema: z.ZodType;
}

export const SECTIONS: readonly ConfigSection[] = [
  {
    title: 'Every service: logging',
    intro:
      'Read by the logger of every service (libs/observability) when it starts. An unknown value falls back to the default.',
    schema: LoggingSettings,
  },
  {
    title: 'notify-gateway',
    intro: 'Receives the partners\u2019 notifications.',
    schema: NotifyGatewaySettings,
  },
  { title: 'order-state', intro: 'Keeps each order\u2019s state.', schema: OrderStateSettings },
  {
    title: 'inquiry-poller',
    intro: 'Inquires and cancels payments whose result has not arrived.',
    schema: InquiryPollerSettings,
  },
  {
    title: 'alipayplus-simulator',
    intro: 'The Alipay+ simulator for local runs and tests (not deployed to production).',
    schema: SimulatorSettings,
  },
];

/** The schema's own metadata, then that of the schemas it wraps (outer wins). */
function metaOf(schema: z.ZodType): SettingMeta {
  const found: SettingMeta = {};
  let current: z.ZodType | undefined = schema;
  while (current) {
    const meta = z.globalRegistry.get(current) as SettingMeta | undefined;
    for (const [key, value] of Object.entries(meta ?? {})) {
      if (!(key in found)) (found as Record<string, unknown>)[key] = value;
    }
    const def = current._zod.def as { innerType?: z.ZodType; in?: z.ZodType };
    current = def.innerType ?? def.in;
  }
  return found;
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
}

const code = (v: unknown) => '`' + String(v) + '`';

/** The allowed values of the environment variable (the input side of coercions and transforms). */
function valuesOf(json: JsonSchema): string {
  if (json.enum) return json.enum.map(code).join(', ');
  if (json.anyOf) return json.anyOf.map(valuesOf).join(' or ');
  if (json.format === 'uri') return 'URL';
  if (json.type === 'integer' || json.type === 'number') {
    const isInt = json.type === 'integer';
    const max =
      json.maximum !== undefined && json.maximum < Number.MAX_SAFE_INTEGER ? json.maximum : undefined;
    let min = json.minimum !== undefined && json.minimum > Number.MIN_SAFE_INTEGER ? json.minimum : undefined;
    let above: number | undefined;
    if (json.exclusiveMinimum !== undefined) {
      if (isInt) min = json.exclusiveMinimum + 1;
      else above = json.exclusiveMinimum;
    }
    const range =
      min !== undefined && max !== undefined
        ? ` ${min}–${max}`
        : min !== undefined
          ? ` ≥ ${min}`
          : above !== undefined
            ? ` > ${above}`
            : max !== undefined
              ? ` ≤ ${max}`
              : '';
    return `${json.type}${range}`;
  }
  if (json.type === 'string' && json.maxLength !== undefined) return `string, ≤ ${json.maxLength} characters`;
  return json.type ?? 'any';
}

/** One row per setting of an object schema, in the schema's order. */
export function settingRows(schema: z.ZodType): SettingRow[] {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) throw new Error('a settings schema is expected to be a z.object');
  return Object.entries(shape).map(([name, field]) => {
    const meta = metaOf(field);
    const json = z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const secret = meta.secret === true;
    const required = !field.safeParse(undefined).success;
    return {
      name,
      values: meta.values ?? valuesOf(json),
      default: json.default === undefined ? '—' : secret ? '(secret)' : code(json.default),
      required: meta.required ?? (required ? 'yes' : 'no'),
      description: meta.description ?? '',
      secret,
    };
  });
}

/** Markdown table cell: no pipe or line break may end the cell early. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The document, before formatting (the caller runs prettier over it, as `format:check` would). */
export function renderConfigurationMarkdown(sections: readonly ConfigSection[] = SECTIONS): string {
  const lines = [
    '# Configuration',
    '',
    `<!-- Generated from the zod settings schemas by scripts/config-docs.ts: do not edit. Run \`${REGENERATE}\` after changing a setting. -->`,
    '',
    `Generated from the services' settings schemas (\`apps/*/src/config.ts\`, \`libs/config\`, \`libs/operator-auth\`): edit a setting's description there and run \`${REGENERATE}\`. A unit test fails while this file is stale.`,
    '',
    'Every service reads its settings from environment variables and validates them at boot: it exits with a message naming each missing or invalid setting. Values are never echoed; settings marked **secret** hold a password or token: give them from a secret store, and their defaults are not shown here.',
    '',
  ];
  for (const section of sections) {
    lines.push(`## ${section.title}`, '', section.intro, '');
    lines.push('| Setting | Values | Default | Required | Description |', '| --- | --- | --- | --- | --- |');
    for (const row of settingRows(section.schema)) {
      const name = code(row.name) + (row.secret ? ' **secret**' : '');
      lines.push(
        `| ${[name, row.values, row.default, row.required, row.description].map(cell).join(' | ')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * docs/configuration.md as `npm run docs:config` writes it: formatted by the project's prettier (its
 * CLI, in a child process: prettier 3's API loads ES modules, which Jest's CommonJS runtime cannot).
 */
export function renderConfigurationDoc(repoRoot: string): string {
  const prettierCli = require.resolve('prettier/bin/prettier.cjs', { paths: [repoRoot] });
  return execFileSync(process.execPath, [prettierCli, '--stdin-filepath', CONFIGURATION_DOC], {
    cwd: repoRoot,
    input: renderConfigurationMarkdown(),
    encoding: 'utf8',
  });
}
