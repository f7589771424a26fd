#!/usr/bin/env node
// Makes the AWS SDK's schema modules tree-shakeable by esbuild (docs/decisions/0044): run by npm
// after every install (package.json "postinstall"), before anything is bundled.
//
// Since @aws-sdk 3.930 each client's `dist-es/schemas/schemas_0.js` writes its traits with computed
// keys, `{ [_e]: _c, [_hE]: 400 }` where `const _e = "error"`. esbuild cannot prove a computed key
// free of side effects, so it keeps every statement holding one: every operation schema, and through
// them every structure of the service, whichever commands a bundle imports (aws/aws-sdk-js-v3#7607,
// open; the generator's fix, smithy-lang/smithy-typescript#1889, is not released). This rewrites
// each such key to the string its constant holds, `{ "error": _c, "httpError": 400 }`: the same
// object, which esbuild can drop when nothing uses it. Nothing else changes. Once the SDK ships the
// fix there is nothing left to rewrite and this reports 0 keys.
//
// Plain JavaScript on purpose: npm runs it with whatever Node it finds, with or without the
// dev dependencies (tsx) installed.
//
//   node scripts/shakeable-sdk-schemas.mjs [node_modules directory]   default: ./node_modules
//   node scripts/shakeable-sdk-schemas.mjs --dry-run [directory]       counts, writes nothing
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm;
// A computed key right after the `{` or `,` that opens an object member, naming a constant.
const COMPUTED_KEY = /([{,]\s*)\[(_\w+)\]:/g;

/**
 * The module with every computed key that names one of its string constants written as that
 * string; `keys` says how many were rewritten (0: nothing to do, the text is returned as it is).
 *
 * @param {string} text
 * @returns {{ text: string, keys: number }}
 */
function shakeableSchemas(text) {
  const constants = new Map([...text.matchAll(STRING_CONSTANT)].map((match) => [match[1], match[2]]));
  let keys = 0;
  const rewritten = text.replace(COMPUTED_KEY, (whole, opening, name) => {
    const value = constants.get(name);
    if (value === undefined) return whole;
    keys += 1;
    return `${opening}${value}:`;
  });
  return { text: rewritten, keys };
}

/** @param {string} dir */
async function entries(dir) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/**
 * The schema modules of every @aws-sdk package: `dist-es/schemas/schemas_N.js`, and each
 * submodule's (`@aws-sdk/nested-clients/dist-es/submodules/sts/schemas/schemas_0.js`).
 *
 * @param {string} nodeModules
 * @returns {Promise<string[]>}
 */
async function schemaModules(nodeModules) {
  const files = [];
  const collect = async (/** @type {string} */ dir) => {
    for (const entry of await entries(dir)) {
      if (entry.isFile() && /^schemas_\d+\.js$/.test(entry.name)) files.push(join(dir, entry.name));
    }
  };
  for (const pkg of await entries(join(nodeModules, '@aws-sdk'))) {
    if (!pkg.isDirectory()) continue;
    const distEs = join(nodeModules, '@aws-sdk', pkg.name, 'dist-es');
    await collect(join(distEs, 'schemas'));
    for (const submodule of await entries(join(distEs, 'submodules'))) {
      if (submodule.isDirectory()) await collect(join(distEs, 'submodules', submodule.name, 'schemas'));
    }
  }
  return files.sort();
}

/**
 * Rewrites every schema module under `nodeModules` in place (idempotent: a rewritten module has
 * no computed key left to rewrite); with `dryRun`, only counts.
 *
 * @param {string} nodeModules
 * @param {{ dryRun?: boolean }} [options]
 * @returns {Promise<{ modules: number, rewritten: number, keys: number }>}
 */
async function makeSchemasShakeable(nodeModules, options = {}) {
  const files = await schemaModules(nodeModules);
  let rewritten = 0;
  let keys = 0;
  for (const file of files) {
    const result = shakeableSchemas(await readFile(file, 'utf8'));
    if (result.keys === 0) continue;
    if (options.dryRun !== true) await writeFile(file, result.text);
    rewritten += 1;
    keys += result.keys;
  }
  return { modules: files.length, rewritten, keys };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const nodeModules = resolve(args.find((arg) => !arg.startsWith('--')) ?? 'node_modules');
  const { modules, rewritten, keys } = await makeSchemasShakeable(nodeModules, { dryRun });
  process.stdout.write(
    `shakeable-sdk-schemas: ${keys} computed keys ${dryRun ? 'to rewrite' : 'rewritten'} in ${rewritten} of ${modules} AWS SDK schema modules (${nodeModules})\n`,
  );
}
