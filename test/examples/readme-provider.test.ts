/**
 * The README's provider example, taken from the README as a user would paste it, compiled and
 * run: it reads and writes its own parameter only, and refuses what is not a TZ string.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { Provider } from '../../src/datamodel/provider.js';
import { tempDir } from '../helpers/agent-harness.js';

const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');

test("the README's provider example writes only its own parameter", async () => {
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('export const timezone'));
  assert.ok(block, 'the README has the timezone provider');
  const dir = tempDir('readme-provider-');
  try {
    const js = ts.transpileModule(block, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const module = path.join(dir, 'provider.mjs');
    fs.writeFileSync(module, js);
    const { timezone } = (await import(pathToFileURL(module).href)) as { timezone: (file: string) => Provider };
    const file = path.join(dir, 'TZ');
    fs.writeFileSync(file, 'UTC0\n');
    const p = timezone(file);
    assert.equal(p.get?.('Device.Time.LocalTimeZone'), 'UTC0');
    assert.equal(p.get?.('Device.Time.NTPServer1'), undefined);
    assert.equal(p.validate?.('Device.Time.LocalTimeZone', 'not a zone; rm -rf'), 'not a POSIX TZ string');
    assert.equal(p.validate?.('Device.Time.NTPServer1', 'pool.ntp.org'), undefined, 'another parameter is not its to judge');
    p.set?.('Device.Time.NTPServer1', 'pool.ntp.org');
    assert.equal(fs.readFileSync(file, 'utf8'), 'UTC0\n', 'another parameter never reaches the file');
    p.set?.('Device.Time.LocalTimeZone', 'CET-1CEST,M3.5.0,M10.5.0/3');
    assert.equal(fs.readFileSync(file, 'utf8'), 'CET-1CEST,M3.5.0,M10.5.0/3\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
