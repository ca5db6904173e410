import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiHandler } from '../api/api-handler';
import type { ApiRoute } from '../api/api-routes';
import type { TimerRegistry } from '../timers';
import { AdminTarget, handleAdmin } from './admin-handler';
import { sendError } from './http-io';

export interface RouterDeps {
  readonly routes: ReadonlyMap<string, ApiRoute>;
  readonly api: ApiHandler;
  readonly admin: AdminTarget;
  readonly timers: TimerRegistry;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/** The partner API paths go to the API handler, `/sim/…` to the admin API, anything else is 404. */
export function route(deps: RouterDeps, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const api = deps.routes.get(url.pathname);
  if (!api && !url.pathname.startsWith('/sim/')) {
    sendError(res, 404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`);
    return;
  }
  const work = api
    ? deps.api.handle(req, res, api, url.pathname)
    : handleAdmin(deps.admin, req, res, url, deps.timers);
  work.catch((error: unknown) => {
    deps.log('http.error', {
      path: url.pathname,
      error: error instanceof Error ? error.message : String(error),
    });
    if (!res.headersSent) sendError(res, 500, 'INTERNAL_ERROR', 'the simulator failed to answer');
    else res.destroy();
  });
}
