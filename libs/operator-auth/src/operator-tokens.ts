import { readFileSync } from 'fs';
import { z } from 'zod';
import { ConfigError } from '@app/config';

/**
 * Operator tokens (issue: operations): a JSON array of `{"name","token","role"}`, from a file
 * (`OPERATOR_TOKENS_FILE`, a mounted Kubernetes secret) or the environment (`OPERATOR_TOKENS_JSON`).
 * - viewer: reads, without the partners' raw bodies;
 * - operator: reads everything and acts (resolve, cancel, re-inquire, replay).
 * With no token configured the service refuses to start, unless `OPERATOR_AUTH=disabled` is set
 * explicitly (the demo and local runs). Token values are never logged or echoed.
 */
export const OperatorRoleSchema = z.enum(['viewer', 'operator']);
export type OperatorRole = z.infer<typeof OperatorRoleSchema>;

const TokenSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9._@-]{1,100}$/,
      'letters, digits and . _ @ - (at most 100): it is recorded with each action',
    ),
  token: z.string().min(24, 'at least 24 characters').max(512),
  role: OperatorRoleSchema,
});
const TokensSchema = z.array(TokenSchema).min(1, 'at least one token');

export interface OperatorToken {
  readonly name: string;
  readonly token: string;
  readonly role: OperatorRole;
}

export type OperatorAuthConfig =
  { readonly mode: 'disabled' } | { readonly mode: 'tokens'; readonly tokens: readonly OperatorToken[] };

/** Reads and validates the operator tokens at boot; the error names the setting, never a value. */
export function loadOperatorAuth(
  app: string,
  env: { OPERATOR_AUTH?: string; OPERATOR_TOKENS_FILE?: string; OPERATOR_TOKENS_JSON?: string } = process.env,
): OperatorAuthConfig {
  const mode = env.OPERATOR_AUTH;
  if (mode !== undefined && mode !== 'enabled' && mode !== 'disabled') {
    throw new ConfigError(app, ['OPERATOR_AUTH is invalid: "enabled" (default) or "disabled"']);
  }
  const file = env.OPERATOR_TOKENS_FILE;
  const json = env.OPERATOR_TOKENS_JSON;
  if (mode === 'disabled') return { mode: 'disabled' };
  if (file && json) {
    throw new ConfigError(app, ['OPERATOR_TOKENS_FILE and OPERATOR_TOKENS_JSON are both set: use one']);
  }
  if (!file && !json) {
    throw new ConfigError(app, [
      'OPERATOR_TOKENS_FILE or OPERATOR_TOKENS_JSON is required: the operator endpoints refuse every request without tokens (set OPERATOR_AUTH=disabled to run without them, e.g. locally)',
    ]);
  }
  const where = file ? `OPERATOR_TOKENS_FILE (${file})` : 'OPERATOR_TOKENS_JSON';
  let raw: unknown;
  try {
    raw = JSON.parse(file ? readFileSync(file, 'utf8') : (json as string));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'not readable JSON';
    throw new ConfigError(app, [`${where} is invalid: ${reason}`]);
  }
  const parsed = TokensSchema.safeParse(raw);
  if (!parsed.success) {
    // Paths and messages only: a token value must not end up in a log.
    const problems = parsed.error.issues.map(
      (i) => `${where} is invalid at ${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new ConfigError(app, problems);
  }
  const names = new Set<string>();
  const values = new Set<string>();
  for (const t of parsed.data) {
    if (names.has(t.name)) throw new ConfigError(app, [`${where}: the name "${t.name}" is used twice`]);
    if (values.has(t.token)) throw new ConfigError(app, [`${where}: two entries share one token`]);
    names.add(t.name);
    values.add(t.token);
  }
  return { mode: 'tokens', tokens: parsed.data };
}

/**
 * The settings, for each service's config schema (so the settings table and the deployment checks
 * know them). Checked in depth by {@link loadOperatorAuth} at boot.
 */
export const operatorAuthSettings = {
  OPERATOR_AUTH: z
    .enum(['enabled', 'disabled'])
    .default('enabled')
    .describe('disabled runs the operator endpoints without tokens: only for the demo and local runs.'),
  OPERATOR_TOKENS_FILE: z.string().min(1).optional().meta({
    description:
      'A JSON file of [{"name","token","role"}], the operators\' bearer tokens (a mounted Kubernetes secret).',
    required: 'OPERATOR_TOKENS_FILE or OPERATOR_TOKENS_JSON, unless OPERATOR_AUTH=disabled',
  }),
  OPERATOR_TOKENS_JSON: z.string().min(1).optional().meta({
    description:
      'The same JSON as OPERATOR_TOKENS_FILE, inline (a secret exposed as an environment variable).',
    required: 'OPERATOR_TOKENS_FILE or OPERATOR_TOKENS_JSON, unless OPERATOR_AUTH=disabled',
    secret: true,
  }),
};
