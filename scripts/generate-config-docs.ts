/**
 * npm run docs:config — writes docs/configuration.md from the services' zod settings schemas (one
 * source of truth). scripts/config-docs.spec.ts fails while the file is stale.
 */
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { CONFIGURATION_DOC, renderConfigurationDoc } from './config-docs';

// Compiled to dist/scripts/: the repository is two levels up.
const root = path.resolve(__dirname, '..', '..');

const content = renderConfigurationDoc(root);
mkdirSync(path.join(root, 'docs'), { recursive: true });
writeFileSync(path.join(root, CONFIGURATION_DOC), content);
console.log(`wrote ${CONFIGURATION_DOC}`);
