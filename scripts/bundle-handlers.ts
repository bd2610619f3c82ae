/**
 * Bundles the Lambda handlers into the package at `npm run build`, so that an app using the
 * published package synthesizes without esbuild: each `lib/<part>/handlers/<name>.ts` that exports
 * `handler` becomes `dist/lib/<part>/handlers/<name>.bundle/index.js`, bundled as NodejsFunction
 * would (CommonJS for Node.js 24, minified, the AWS SDK left to the runtime).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';

const root = path.join(__dirname, '..');
const entries = fs
  .readdirSync(path.join(root, 'lib'), { recursive: true, encoding: 'utf8' })
  .filter((f) => /(^|\/)handlers\/[^/]+\.ts$/.test(f))
  .filter((f) =>
    /export (async function|const) handler\b/.test(fs.readFileSync(path.join(root, 'lib', f), 'utf8')),
  );
for (const file of entries) {
  const outdir = path.join(root, 'dist', 'lib', file.replace(/\.ts$/, '.bundle'));
  fs.rmSync(outdir, { recursive: true, force: true });
  buildSync({
    entryPoints: [path.join(root, 'lib', file)],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
}
console.log(`bundled ${entries.length} handlers into dist/`);
