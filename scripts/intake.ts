/**
 * `npm run intake -- <event.json>`: runs the intake Lambda handler on an EventBridge event saved in a
 * file and prints its result as JSON on stdout (the same object the state machine receives).
 *
 * The handler's Powertools logs and metrics are switched off here so stdout holds only the result;
 * every ignored and rejected item is in the result itself. Exit codes: 0 the event was read (even
 * if some items were rejected), 2 usage or unreadable file or invalid JSON.
 */
import { readFileSync } from 'node:fs';

function fail(message: string): never {
  process.stderr.write(`intake: ${message}\n`);
  process.exit(2);
}

const [path, ...extra] = process.argv.slice(2);
if (path === undefined || extra.length > 0) {
  fail('usage: npm run intake -- <event.json>  (exactly one EventBridge event file)');
}

let text: string;
try {
  text = readFileSync(path, 'utf8');
} catch (error) {
  fail(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
}

let event: unknown;
try {
  event = JSON.parse(text);
} catch (error) {
  fail(`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
}

// Before the handler module loads: Powertools reads these when the logger and metrics are created.
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
const { handler } = await import('../remediators/handlers/intake.js');
process.stdout.write(`${JSON.stringify(await handler(event), null, 2)}\n`);
