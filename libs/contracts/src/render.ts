import { asyncApiDocument } from './asyncapi';
import { openApiDocument } from './http/openapi';
import { jsonSchemas } from './registry';

/** The published contract files, by file name (libs/contracts/published/). */
export function renderContractFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [topic, schema] of Object.entries(jsonSchemas())) {
    files[`${topic}.schema.json`] = JSON.stringify(schema, null, 2) + '\n';
  }
  files['asyncapi.json'] = JSON.stringify(asyncApiDocument(), null, 2) + '\n';
  files['openapi.json'] = JSON.stringify(openApiDocument(), null, 2) + '\n';
  return files;
}
