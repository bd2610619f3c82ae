#!/usr/bin/env node
import { main } from '../lib/cli/main';

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    // Not the user's doing: say so in one line, with where to look.
    process.stderr.write(`model-access: internal error: ${e.message}\n`);
    process.exitCode = 3;
  },
);
