// Bundles the command line (after tsc) into dist/src/bundle: one file and a few chunks instead of
// some 250 modules, which the agent would otherwise resolve, read and link one by one at every
// start (`run` reached its first Inform in about 0.52 s unbundled, 0.36 s bundled, on the
// README's 2-core machine). bin/cwmp-agent runs the bundle when it is at least as new as the
// compiled sources, and those otherwise. Worker-thread entries are bundled beside it: the code
// that starts them finds them by name next to itself. dist/src/bundle sits as deep as dist/src/*/,
// so the paths the code reads relative to itself (package.json, profiles/) stay right.
import { build } from 'esbuild';
import fs from 'node:fs';

const out = 'dist/src/bundle';
fs.rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: ['dist/src/cli/main.js', 'dist/src/cli/supervisor.js', 'dist/src/providers/external/helper-thread.js', 'dist/src/cli/fleet-worker-entry.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: out,
  entryNames: '[name]',
  // Optional at run time (pretty logs, ws's native helpers) or never at run time (the test browser).
  external: ['pino-pretty', 'bufferutil', 'utf-8-validate', 'playwright-core'],
  // The CommonJS packages inside call require() for Node's own modules.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
