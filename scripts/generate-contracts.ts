/**
 * npm run contracts:generate — writes the published JSON Schemas, the AsyncAPI document (events) and
 * the OpenAPI document (HTTP APIs) from the zod definitions in libs/contracts (one source of truth).
 * A unit test fails if they are stale.
 */
import { writeFileSync, mkdirSync } from 'fs';
import * as path from 'path';
import { renderContractFiles } from '../libs/contracts/src/render';

const out = path.resolve(__dirname, '..', '..', 'libs', 'contracts', 'published');
mkdirSync(out, { recursive: true });
for (const [file, content] of Object.entries(renderContractFiles())) {
  writeFileSync(path.join(out, file), content);
  console.log(`wrote libs/contracts/published/${file}`);
}
