import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_PATH, configJsonSchemaText } from '../../../scripts/export-config-schema.js';

describe('config/remediation.schema.json', () => {
  it('is up to date with config/schema.ts (run: npx tsx scripts/export-config-schema.ts)', async () => {
    expect(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')).toBe(await configJsonSchemaText());
  });

  it('offers editors the allowed modes per control, narrower for report-only controls', async () => {
    const schema = JSON.parse(await configJsonSchemaText()) as {
      properties: {
        controls: { properties: Record<string, { enum: string[] }>; additionalProperties: boolean };
      };
    };
    const controls = schema.properties.controls;

    expect(controls.properties['APIGateway.1']?.enum).toEqual(['auto', 'approve', 'notify', 'off']);
    expect(controls.properties['APIGateway.2']?.enum).toEqual(['notify', 'off']);
    expect(controls.additionalProperties).toBe(false);
  });
});
