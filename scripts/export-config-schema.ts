/**
 * Writes config/remediation.schema.json (the JSON Schema editors validate config/remediation.json
 * with) from the zod schema, so the two never disagree. Run: `npx tsx scripts/export-config-schema.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import * as z from 'zod';
import { ConfigSchema, configSchemaOf } from '../config/schema.js';
import type { MetaCatalog } from '../remediators/controls/define-control.js';

export const CONFIG_SCHEMA_PATH = fileURLToPath(
  new URL('../config/remediation.schema.json', import.meta.url),
);

/**
 * The JSON Schema text, formatted with the project's Prettier settings as the committed file is;
 * for the production catalog unless another is given (its controls and parameters come from it).
 */
export async function configJsonSchemaText(catalog?: MetaCatalog): Promise<string> {
  // io 'input': the file is what people write, so fields with defaults are optional.
  const schema = z.toJSONSchema(catalog === undefined ? ConfigSchema : configSchemaOf(catalog), {
    io: 'input',
  });
  const text = JSON.stringify({ ...schema, title: 'apigw-remediation configuration' });
  return format(text, { ...(await resolveConfig(CONFIG_SCHEMA_PATH)), parser: 'json' });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CONFIG_SCHEMA_PATH, await configJsonSchemaText());
  console.log(`wrote ${CONFIG_SCHEMA_PATH}`);
}
