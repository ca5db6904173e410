import { z } from 'zod';

/** Raised at boot when a setting is missing or invalid; the message names every offending setting. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly app: string,
    readonly problems: string[],
  ) {
    super(`${app}: invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment against an app's settings schema and fails fast (house rule: validate
 * config at boot). Values are never echoed in the error: settings may hold secrets.
 */
export function loadConfig<S extends z.ZodObject>(
  app: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const present = issue.path.length > 0 && env[String(issue.path[0])] !== undefined;
    return present ? `${name} is invalid: ${issue.message}` : `${name} is required but not set`;
  });
  throw new ConfigError(app, problems);
}
