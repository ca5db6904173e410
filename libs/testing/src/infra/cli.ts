// The CLI of the local infrastructure: `npm run infra -- <command>` (commands.ts lists them).
import { runCommand, stopAfterInterrupt } from './commands';

const time = () => new Date().toTimeString().slice(0, 8);
const io = {
  stdout: (text: string) => process.stdout.write(text),
  out: {
    log: (line: string) => process.stderr.write(`[local-infra ${time()}] ${line}\n`),
    raw: (text: string) => process.stderr.write(text),
  },
  env: process.env,
  cwd: process.cwd(),
};
// A start cut short must not leave half an instance running (nothing would stop it).
if (process.argv[2] === 'start') stopAfterInterrupt(io);
void runCommand(process.argv.slice(2), io).then((code) => (process.exitCode = code));
