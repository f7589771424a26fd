/**
 * The artefacts derived from the control catalog that are committed as text: the controls table
 * and the member role's remediation statements in docs/controls.md, and the default configuration
 * in docs/configuration.md, each between `<!-- catalog:NAME -->` markers; and
 * remediators/controls/catalog-meta.ts, the list of the controls' metadata in catalog order (what
 * the configuration and the intake read, so their bundles leave the controls' behaviour out). The
 * JSON Schema of the configuration is scripts/export-config-schema.ts. Every function takes a catalog (the production
 * one by default), so a test can derive from its own (test/unit/architecture/).
 *
 * Run: `npx tsx scripts/catalog-artefacts.ts` rewrites the blocks; test/unit/architecture/derived.test.ts
 * fails when a committed block differs from what the catalog gives.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { configSchemaOf } from '../config/schema.js';
import { CATALOG, remediationIamStatements, type Catalog } from '../remediators/controls/catalog.js';
import type { IamStatement } from '../remediators/core/iam.js';
import type { Protocol } from '../remediators/core/types.js';

export const CONTROLS_DOC_PATH = fileURLToPath(new URL('../docs/controls.md', import.meta.url));
export const CONFIGURATION_DOC_PATH = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
export const CATALOG_META_PATH = fileURLToPath(
  new URL('../remediators/controls/catalog-meta.ts', import.meta.url),
);
const CONTROLS_DIR = fileURLToPath(new URL('../remediators/controls/', import.meta.url));

/** The fields of a control that its metadata holds (define-control.ts ControlMeta), compared by identity. */
const META_FIELDS = ['id', 'title', 'appliesTo', 'kind', 'defaultMode', 'params'] as const;

interface MetaExport {
  readonly file: string;
  readonly name: string;
}

/**
 * For each control of the production catalog, in order, the module under remediators/controls/
 * that exports it and the name of its metadata export there: the export whose every metadata
 * field is the control's own (defineControl(meta, behaviour) keeps them by reference).
 */
async function metaExports(): Promise<MetaExport[]> {
  const modules = await Promise.all(
    readdirSync(CONTROLS_DIR)
      .filter((file) => file.endsWith('.ts') && file !== 'catalog-meta.ts')
      .sort()
      .map(async (file) => ({
        file,
        exports: Object.entries(
          (await import(pathToFileURL(`${CONTROLS_DIR}${file}`).href)) as Record<string, unknown>,
        ),
      })),
  );
  return CATALOG.map((control) => {
    const home = modules.find(({ exports }) => exports.some(([, value]) => value === control));
    const meta = home?.exports.find(
      ([, value]) =>
        value !== control &&
        typeof value === 'object' &&
        value !== null &&
        META_FIELDS.every((field) => (value as Record<string, unknown>)[field] === control[field]),
    );
    if (home === undefined || meta === undefined) {
      throw new Error(
        `${control.id}: no module under remediators/controls/ exports both the control and its metadata ` +
          '(export const xMeta = {...} as const satisfies ControlMeta; defineControl(xMeta, {...}))',
      );
    }
    return { file: home.file, name: meta[0] };
  });
}

/** The text of remediators/controls/catalog-meta.ts, formatted. */
export async function catalogMetaSource(): Promise<string> {
  const entries = await metaExports();
  const text = [
    '/**',
    " * Every control's metadata (define-control.ts ControlMeta: id, title, protocols, kind, default",
    ' * mode, parameters), in catalog order. The configuration, the intake and the id lists read this',
    " * instead of the catalog, so their bundles leave the controls' inspections, plans, undo and texts",
    ' * out (docs/decisions/0021).',
    ' *',
    ' * Generated from catalog.ts: run `npx tsx scripts/catalog-artefacts.ts` after adding a control there.',
    ' * test/unit/architecture/derived.test.ts fails when this file differs from what the catalog gives.',
    ' */',
    "import type { ControlMeta } from './define-control.js';",
    ...entries.map(({ file, name }) => `import { ${name} } from './${basename(file, '.ts')}.js';`),
    '',
    'export const CATALOG_META = [',
    ...entries.map(({ name }) => `  ${name},`),
    '] as const satisfies readonly ControlMeta[];',
    '',
  ].join('\n');
  return format(text, { ...(await resolveConfig(CATALOG_META_PATH)), parser: 'typescript' });
}

const PROTOCOL_NAMES: Readonly<Record<Protocol, string>> = {
  REST: 'REST',
  HTTP: 'HTTP',
  WEBSOCKET: 'WebSocket',
};

/** One row per control, in catalog order. */
export function controlsTable(catalog: Catalog = CATALOG): string {
  const rows = catalog.map((control) => {
    const fixing = control.kind === 'fixing';
    return [
      control.id,
      control.appliesTo.map((protocol) => PROTOCOL_NAMES[protocol]).join(', '),
      fixing ? 'auto-fix' : 'report only',
      control.defaultMode,
      control.docs?.redeploy ?? '—',
      control.docs?.prerequisites ?? '—',
    ];
  });
  const header = ['Control', 'Applies to', 'Remediation', 'Default mode', 'Redeploy', 'Prerequisites'];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * For every fixing control and protocol, the template change that makes the fix permanent in
 * CloudFormation, the CDK and Terraform (the controls' `sourceFix`, docs/decisions/0029). Cells are
 * code spans: the texts hold `<placeholders>` that Markdown would otherwise read as HTML.
 */
export function sourceFixTable(catalog: Catalog = CATALOG): string {
  const cell = (text: string) => `\`${text.replaceAll('|', '\\|')}\``;
  const rows = catalog.flatMap((control) =>
    control.appliesTo.flatMap((protocol) => {
      const fix = control.sourceFix?.[protocol];
      return fix === undefined
        ? []
        : [
            [
              control.id,
              PROTOCOL_NAMES[protocol],
              cell(fix.cloudFormation),
              cell(fix.cdk),
              cell(fix.terraform),
            ],
          ];
    }),
  );
  const header = ['Control', 'Stage', 'CloudFormation', 'CDK', 'Terraform'];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * The member role's remediation statements for the default resources, with `{partition}` and
 * `{account}` standing for the account's own (infra/permissions.ts fills them in).
 */
export function memberRoleStatements(catalog: Catalog = CATALOG): IamStatement[] {
  const { resources } = configSchemaOf(catalog).parse({});
  return remediationIamStatements({ partition: '{partition}', account: '{account}', resources }, catalog);
}

/** The configuration with every default, as the service reads an empty file. */
export function defaultConfiguration(catalog: Catalog = CATALOG): unknown {
  return configSchemaOf(catalog).parse({});
}

const fenced = (language: string, text: string) => `\`\`\`${language}\n${text}\n\`\`\``;

/** The blocks of each document, by marker name. */
export function derivedBlocks(catalog: Catalog = CATALOG): Record<string, Record<string, string>> {
  return {
    [CONTROLS_DOC_PATH]: {
      table: controlsTable(catalog),
      'source-fix': sourceFixTable(catalog),
      'member-role': fenced('json', JSON.stringify(memberRoleStatements(catalog), null, 2)),
    },
    [CONFIGURATION_DOC_PATH]: {
      defaults: fenced('json', JSON.stringify(defaultConfiguration(catalog), null, 2)),
    },
  };
}

/** The document with each `<!-- catalog:NAME -->` … `<!-- /catalog:NAME -->` block replaced, formatted. */
export async function withBlocks(
  path: string,
  text: string,
  blocks: Record<string, string>,
): Promise<string> {
  let result = text;
  for (const [name, block] of Object.entries(blocks)) {
    const start = `<!-- catalog:${name} -->`;
    const end = `<!-- /catalog:${name} -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from === -1 || to < from) throw new Error(`${path}: no ${start} … ${end} block`);
    result = `${result.slice(0, from + start.length)}\n\n${block}\n\n${result.slice(to)}`;
  }
  return format(result, { ...(await resolveConfig(path)), parser: 'markdown' });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [path, blocks] of Object.entries(derivedBlocks())) {
    writeFileSync(path, await withBlocks(path, readFileSync(path, 'utf8'), blocks));
    console.log(`wrote ${path}`);
  }
  writeFileSync(CATALOG_META_PATH, await catalogMetaSource());
  console.log(`wrote ${CATALOG_META_PATH}`);
}
