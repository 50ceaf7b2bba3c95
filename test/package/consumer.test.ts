/**
 * The package as a user gets it: `npm pack`, installed from the tarball into a fresh TypeScript
 * project (not the source tree), where the README's TypeScript examples and the example provider
 * compile in strict mode against the shipped declarations, the library loads and the CLI runs.
 * Installing it runs no script.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/agent-harness.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });

test('npm pack → install the tarball in a new project → README examples compile (strict), the library loads, the CLI answers --version', {
  timeout: 300_000,
}, () => {
  const work = tempDir('consumer-');
  try {
    // Packed from a copy of the project, so that its prepack build does not rewrite the dist/ other tests run from.
    const source = path.join(work, 'source');
    for (const entry of [
      'src',
      'scripts',
      'bin',
      'examples',
      'profiles',
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
    ]) {
      fs.cpSync(path.join(repo, entry), path.join(source, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(source, 'node_modules'));
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], source)) as { filename: string; files: { path: string }[] }[];
    const tarball = path.join(work, packed[0]!.filename);
    const files = packed[0]!.files.map((f) => f.path);
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'bin/cwmp-agent', 'LICENSE', 'CHANGELOG.md', 'README.md'])
      assert.ok(files.includes(f), `${f} in the tarball`);
    // Sources are not shipped, except the declarations of untyped dependencies the shipped .d.ts refer to.
    assert.ok(!files.some((f) => f.startsWith('dist/test/') || (f.startsWith('src/') && !/^src\/types\/[^/]+\.d\.ts$/.test(f))), 'no tests or sources shipped');
    const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' })) as {
      scripts?: Record<string, string>;
      types?: string;
    };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare'])
      assert.equal(manifest.scripts?.[hook], undefined, `no ${hook} script runs on install`);
    assert.equal(manifest.types, './dist/src/index.d.ts');

    const app = path.join(work, 'app');
    fs.mkdirSync(path.join(app, 'src'), { recursive: true });
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts=false'], app);

    // Every TypeScript block of the README, and the example provider, as a user would paste them.
    const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    assert.ok(blocks.length >= 1, 'the README has TypeScript examples');
    for (const [i, code] of blocks.entries()) fs.writeFileSync(path.join(app, 'src', `readme-${i}.ts`), code);
    fs.copyFileSync(path.join(repo, 'examples', 'timezone-provider.ts'), path.join(app, 'src', 'timezone-provider.ts'));
    fs.writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          // The strictest a consumer sets: optional properties are not undefined unless they say so.
          exactOptionalPropertyTypes: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [path.join(repo, 'node_modules', '@types')],
        },
        include: ['src'],
      }),
    );
    const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', app], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      assert.fail(`the examples do not compile against the package:\n${(err as { stdout?: string }).stdout}`);
    }
    const loaded = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('cwmp-agent'); const f = await import('cwmp-agent/fleet'); const s = await import('cwmp-agent/scenarios'); console.log(typeof m.Agent, typeof m.assembleDevice, typeof f.Fleet, typeof s.runScenario, typeof f.runFleetScenario, typeof m.readCpeMessage)",
      ],
      { cwd: app, encoding: 'utf8' },
    );
    assert.equal(loaded.trim(), 'function function function function function function', 'the agent, fleets, scenarios and the message readers are exported');
    const version = execFileSync(path.join(app, 'node_modules', '.bin', 'cwmp-agent'), ['--version'], { encoding: 'utf8' });
    assert.equal(version.trim(), (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
