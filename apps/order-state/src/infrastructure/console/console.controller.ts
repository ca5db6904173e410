import { createHash } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * The ops console (issue: operations): a Preact + htm page (apps/order-state/console) and its
 * dependencies, all served from this process (no CDN). The page holds no data: everything it shows
 * comes from the JSON API with the operator's bearer token, so these files need no token themselves.
 */
interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** The folder that holds package.json: the repository (or the image's /app). */
function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'apps', 'order-state')))
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`console: no project root above ${from}`);
  }
}

const beside = (resolved: string, file: string) => path.join(path.dirname(resolved), file);

function loadAssets(): { index: Asset; assets: Map<string, Asset>; csp: string } {
  const dir = path.join(projectRoot(), 'apps', 'order-state', 'console');
  const read = (file: string, type: string): Asset => ({ body: readFileSync(file), type });
  const js = 'text/javascript; charset=utf-8';
  const assets = new Map<string, Asset>([
    ['console.js', read(path.join(dir, 'console.js'), js)],
    ['console.css', read(path.join(dir, 'console.css'), 'text/css; charset=utf-8')],
    ['preact.mjs', read(beside(require.resolve('preact'), 'preact.mjs'), js)],
    ['hooks.mjs', read(beside(require.resolve('preact/hooks'), 'hooks.mjs'), js)],
    ['htm.mjs', read(beside(require.resolve('htm'), 'htm.mjs'), js)],
  ]);
  const index = read(path.join(dir, 'index.html'), 'text/html; charset=utf-8');
  // The import map is the one inline script: allowed by its hash, nothing else inline.
  const importMap =
    /<script type="importmap">([\s\S]*?)<\/script>/.exec(index.body.toString('utf8'))?.[1] ?? '';
  const hash = createHash('sha256').update(importMap, 'utf8').digest('base64');
  const csp = `default-src 'self'; script-src 'self' 'sha256-${hash}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'`;
  return { index, assets, csp };
}

@Controller('console')
export class ConsoleController {
  private readonly files = loadAssets();

  @Get()
  index(@Res() reply: FastifyReply) {
    return this.send(reply, this.files.index);
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() reply: FastifyReply) {
    const asset = this.files.assets.get(name);
    if (!asset) throw new NotFoundException({ code: 'NOT_FOUND', message: `no console asset ${name}` });
    return this.send(reply, asset);
  }

  private send(reply: FastifyReply, asset: Asset) {
    return reply
      .header('content-type', asset.type)
      .header('content-security-policy', this.files.csp)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(asset.body);
  }
}
