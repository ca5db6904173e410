/**
 * npm run dlq -- <command>: the dead letters from a terminal, through order-state's API (so every
 * replay is checked and recorded like one made in the console).
 *
 *   list [--topic T] [--reason TEXT] [--limit N]      letters, newest first (JSON lines)
 *   show <id>                                         one letter with its replays
 *   replay <id> [--note TEXT]                         re-publish one letter to its original topic
 *   replay-all [--topic T] [--reason TEXT] [--limit N] [--note TEXT]
 *                                                     re-publish the matching letters never replayed
 *
 * Settings: ORDER_STATE_URL (default http://127.0.0.1:3000) and OPERATOR_TOKEN (an operator's bearer
 * token; a viewer's can list). Exit code 0 on success, 1 on a refusal or an error, 2 on bad usage.
 */
const USAGE =
  'usage: dlq list|show <id>|replay <id>|replay-all [--topic T] [--reason TEXT] [--limit N] [--note TEXT]';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const base = process.env.ORDER_STATE_URL ?? 'http://127.0.0.1:3000';
  const token = process.env.OPERATOR_TOKEN;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok) throw new Error(`HTTP ${res.status} ${json.code ?? ''}: ${json.message ?? ''}`.trim());
  return json;
}

async function main(args: string[]): Promise<number> {
  const [command, id] = args;
  const limit = option(args, 'limit');
  const filter = { originalTopic: option(args, 'topic'), reasonContains: option(args, 'reason') };
  switch (command) {
    case 'list': {
      const query = new URLSearchParams(
        Object.entries({ ...filter, limit }).filter((e): e is [string, string] => e[1] !== undefined),
      );
      const { items } = (await call('GET', `/dead-letters?${query}`)) as { items: unknown[] };
      for (const item of items) console.log(JSON.stringify(item));
      return 0;
    }
    case 'show':
      if (!id) break;
      console.log(JSON.stringify(await call('GET', `/dead-letters/${encodeURIComponent(id)}`), null, 2));
      return 0;
    case 'replay':
      if (!id) break;
      console.log(
        JSON.stringify(
          await call('POST', `/dead-letters/${encodeURIComponent(id)}/replay`, {
            note: option(args, 'note'),
          }),
        ),
      );
      return 0;
    case 'replay-all': {
      const result = (await call('POST', '/dead-letters/replay', {
        ...filter,
        ...(limit ? { limit: Number(limit) } : {}),
        note: option(args, 'note'),
      })) as { replayed: number; outcomes: { replayed: boolean }[] };
      console.log(JSON.stringify(result));
      return result.outcomes.every((o) => o.replayed) ? 0 : 1;
    }
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`dlq: ${(err as Error).message}`);
    process.exit(1);
  },
);
