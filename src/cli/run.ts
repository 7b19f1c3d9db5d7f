// One run of the command line: parse `argv`, load only the modules of the command
// being run (src/cli/commands/index.ts lists them), run it, and answer its exit
// code. Used by the `adbrain` process itself and, for a CLI beside a running
// server on the embedded database, inside `adbrain serve` (src/cli/socket-server.ts).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { AREAS, groupOn } from './commands/index.ts';
import { printJson, reportError } from './output.ts';
import { projectFile } from '../paths.ts';
import { remoteRun } from './remote-context.ts';

export async function runCli(argv: string[]): Promise<number> {
  const jsonMode = argv.includes('--json');
  const program = new Command('adbrain')
    .description('AI insight and reporting engine for performance marketers')
    .version(version(), '-V, --version', 'the version of adbrain')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
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
    await program.parseAsync(argv, { from: 'user' });
    return remoteRun.getStore()?.exitCode ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (jsonMode && err.exitCode !== 0) printJson({ error: { code: 'invalid_input', message: err.message.replace(/^error: /, ''), details: null } });
      return err.exitCode === 0 ? 0 : 2;
    }
    return reportError(err, jsonMode, await debugMode());
  }
}

function version(): string {
  return (JSON.parse(readFileSync(projectFile('package.json'), 'utf8')) as { version: string }).version;
}

/** The configuration's own reading of ADBRAIN_DEBUG (loaded only when something failed). */
async function debugMode(): Promise<boolean> {
  try {
    return (await import('../config.ts')).loadConfig().debug;
  } catch {
    return false; // the config error itself is being reported
  }
}
