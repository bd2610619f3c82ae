import * as fs from 'fs';
import * as path from 'path';

const NAME = 'cdk-model-access';

/** This package's version, from its package.json (found from here upward, in lib/ or dist/). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === NAME) return pkg.version;
    }
    if (path.dirname(dir) === dir)
      throw new Error(`${NAME}: its package.json was not found above ${__dirname}`);
  }
}
