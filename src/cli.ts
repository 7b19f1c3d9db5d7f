// `adbrain` — the command line. Only the modules of the command being run are
// loaded (src/cli/commands/index.ts lists them): `--help`, `--version` and the
// list commands start in a fraction of a second. The contract scripts rely on:
//   - results on stdout; progress, warnings and diagnostics on stderr;
//   - with --json, exactly one JSON document on stdout — an error too, as
//     { "error": { code, message, details } };
//   - exit codes: 0 ok, 1 a failure (a database, a provider, an unexpected error),
//     2 bad input (a flag, a file, a name that does not exist), 130 interrupted.
// Beside a running `adbrain serve` on the embedded database, commands run in that
// server (src/cli/remote.ts): the folder allows one process.
import { runInServer, serverBeside } from './cli/remote.ts';

const argv = process.argv.slice(2);
// serve holds the folder itself; mcp speaks on stdin / stdout and cannot be relayed (it says where to connect instead).
const command = argv.find((a) => !a.startsWith('-'));
const server = command === 'serve' || command === 'mcp' ? null : serverBeside();
const remote = server ? await runInServer(server, argv) : null;
if (remote !== null) {
  process.exitCode = remote;
} else {
  const { runCli } = await import('./cli/run.ts');
  process.exitCode = await runCli(argv);
}
