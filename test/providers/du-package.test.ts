/**
 * Deployment unit packages at their bounds: one with more entries than any unit needs is refused
 * (9018) from its headers alone, and a large valid one is checked without holding the event loop:
 * the agent keeps answering while its files are hashed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { CwmpFault } from '../../src/cwmp/faults.js';
import { makeDuPackage, MAX_PACKAGE_ENTRIES, unpackDuPackage } from '../../src/providers/software/du-package.js';
import { tempDir } from '../helpers/agent-harness.js';

function manyFiles(dir: string, count: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const sub = `d${Math.floor(i / 1000)}`;
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const name = `${sub}/f${i}`;
    fs.writeFileSync(path.join(dir, name), String(i));
    names.push(name);
  }
  return names;
}

test(`a package of more than ${MAX_PACKAGE_ENTRIES} entries is refused with 9018 before anything is unpacked`, async () => {
  const dir = tempDir('du-many-');
  try {
    const src = path.join(dir, 'src');
    fs.mkdirSync(src);
    const names = manyFiles(src, MAX_PACKAGE_ENTRIES + 50);
    const archive = path.join(dir, 'many.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: src, portable: true }, names);
    const dest = path.join(dir, 'out');
    await assert.rejects(
      unpackDuPackage(archive, dest),
      (err: unknown) => err instanceof CwmpFault && err.faultCode === 9018 && /more than 10000 entries/.test(err.faultString),
    );
    assert.ok(!fs.existsSync(dest), 'nothing was left unpacked');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a large valid package is checked while the event loop goes on', async () => {
  const dir = tempDir('du-large-');
  try {
    const src = path.join(dir, 'src');
    fs.mkdirSync(src);
    manyFiles(src, 3_000);
    fs.writeFileSync(path.join(src, 'manifest.json'), JSON.stringify({ name: 'large', vendor: 'Example', version: '1.0' }));
    const archive = path.join(dir, 'large.tar.gz');
    await makeDuPackage(src, archive);
    // Turns of the event loop while the package is checked: a blocking check would allow none.
    let turns = 0;
    let checking = true;
    const spin = (): void => {
      if (!checking) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const manifest = await unpackDuPackage(archive, path.join(dir, 'out'));
    checking = false;
    assert.equal(Object.keys(manifest.files).length, 3_000);
    assert.ok(turns > 100, `the event loop turned ${turns} times during the check`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
