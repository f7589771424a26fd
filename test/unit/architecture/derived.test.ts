/**
 * Every artefact derived from the control catalog, regenerated from the production catalog and
 * compared with what is committed: the controls table and the member role statements in
 * docs/controls.md, the default configuration in docs/configuration.md, the configuration's JSON
 * Schema, the list of the controls' metadata (remediators/controls/catalog-meta.ts) and the
 * statements the synthesized member role actually holds (infra/permissions.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../config/schema.js';
import { DEFAULT_CONTROL_MODES } from '../../../config/defaults.js';
import { remediationWriteStatements } from '../../../infra/permissions.js';
import { CATALOG } from '../../../remediators/controls/catalog.js';
import { CATALOG_META } from '../../../remediators/controls/catalog-meta.js';
import {
  CATALOG_META_PATH,
  catalogMetaSource,
  derivedBlocks,
  memberRoleStatements,
  withBlocks,
} from '../../../scripts/catalog-artefacts.js';
import { CONFIG_SCHEMA_PATH, configJsonSchemaText } from '../../../scripts/export-config-schema.js';

describe('artefacts derived from the production catalog', () => {
  for (const [path, blocks] of Object.entries(derivedBlocks())) {
    it(`${path.split('/docs/')[1]} holds the catalog's blocks as generated (run: npx tsx scripts/catalog-artefacts.ts)`, async () => {
      const committed = readFileSync(path, 'utf8');
      expect(await withBlocks(path, committed, blocks)).toBe(committed);
    });
  }

  it('the configuration JSON Schema is the catalog config schema (run: npx tsx scripts/export-config-schema.ts)', async () => {
    expect(await configJsonSchemaText(CATALOG)).toBe(readFileSync(CONFIG_SCHEMA_PATH, 'utf8'));
  });

  it('catalog-meta.ts lists the metadata of every catalog control, in order (run: npx tsx scripts/catalog-artefacts.ts)', async () => {
    expect(await catalogMetaSource()).toBe(readFileSync(CATALOG_META_PATH, 'utf8'));
    // The very objects the controls were built from, so the configuration and the workflow agree.
    expect(CATALOG_META).toHaveLength(CATALOG.length);
    CATALOG.forEach((control, index) => {
      const meta = CATALOG_META[index];
      for (const field of ['id', 'title', 'appliesTo', 'kind', 'defaultMode', 'params'] as const)
        expect(meta?.[field], `${control.id} ${field}`).toBe(control[field]);
    });
  });

  it("the default configuration's modes are each control's defaultMode", () => {
    expect(DEFAULT_CONTROL_MODES).toEqual(
      Object.fromEntries(CATALOG.map((control) => [control.id, control.defaultMode])),
    );
    expect(ConfigSchema.parse({}).parameters).toEqual(
      Object.fromEntries(CATALOG.map((control) => [control.id, control.params.parse({})])),
    );
  });

  it('the member role holds exactly the documented statements', () => {
    const { resources } = ConfigSchema.parse({});
    const synthesized = remediationWriteStatements({
      partition: '{partition}',
      account: '{account}',
      resources,
    }).map((statement) => statement.toStatementJson() as unknown);
    expect(synthesized).toEqual(
      memberRoleStatements().map(({ sid, actions, resources: arns, conditions }) => ({
        Sid: sid,
        Effect: 'Allow',
        Action: actions.length === 1 ? actions[0] : actions,
        Resource: arns.length === 1 ? arns[0] : arns,
        ...(conditions === undefined ? {} : { Condition: conditions }),
      })),
    );
  });
});
