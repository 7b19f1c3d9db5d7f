// `adbrain` — the command line. Only the modules of the command being run are
// loaded (src/cli/commands/index.ts lists them): `--help`, `--version` and the
// list commands start in a fraction of a second. The contract scripts rely on:
//   - results on stdout; progress, warnings and diagnostics on stderr;
//   - with --json, exactly one JSON document on stdout — an error too, as
//     { "error": { code, message, details } };
//   - exit codes: 0 ok, 1 a failure (a database, a provider, an unexpected error),
//     2 bad input (a flag, a file, a name that does not exist), 130 interrupted.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { AREAS, groupOn } from './cli/commands/index.ts';
import { printJson, reportError } from './cli/output.ts';
import { projectFile } from './paths.ts';

const argv = process.argv.slice(2);
const jsonMode = argv.includes('--json');

const program = new Command('adbrain')
  .description('AI insight and reporting engine for performance marketers')
  .version(version(), '-V, --version', 'the version of adbrain')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({
    writeErr: (s) => process.stderr.write(s),
    // With --json the error is the one JSON document on stdout (below), not text.
    outputError: (s, write) => (jsonMode ? undefined : write(s)),
  })
  // Usage errors are bad input (exit 2), like every other.
  .exitOverride();

const first = argv.find((a) => !a.startsWith('-'));
const target = first === 'help' ? argv[argv.indexOf('help') + 1] : first;
const area = AREAS.find((a) => a.name === target);

try {
  if (area) {
    const group = groupOn(program);
    for (const load of new Set(area.modules)) (await load()).register(program, group);
  } else {
    // Top-level help, no command or an unknown one: the list alone (commander suggests close names).
    for (const a of AREAS) program.command(a.args ? `${a.name} ${a.args}` : a.name).description(a.summary);
  }
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
    if (jsonMode && err.exitCode !== 0) printJson({ error: { code: 'invalid_input', message: err.message.replace(/^error: /, ''), details: null } });
  } else {
    process.exitCode = reportError(err, jsonMode, await debugMode());
  }
}

function version(): string {
  return (JSON.parse(readFileSync(projectFile('package.json'), 'utf8')) as { version: string }).version;
}

/** The configuration's own reading of ADBRAIN_DEBUG (loaded only when something failed). */
async function debugMode(): Promise<boolean> {
  try {
    return (await import('./config.ts')).loadConfig().debug;
  } catch {
    return false; // the config error itself is being reported
  }
}
