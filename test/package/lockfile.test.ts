/** package-lock.json agrees with package.json, so that `npm install` on a fresh clone leaves the tree clean. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (name: string): Record<string, any> => JSON.parse(fs.readFileSync(path.join(repo, name), 'utf8'));

test("the lock file's root entry says what package.json says (npm install would rewrite it otherwise)", () => {
  const pkg = read('package.json');
  const root = read('package-lock.json')['packages'][''];
  for (const key of ['name', 'version', 'license', 'engines', 'dependencies', 'devDependencies', 'bin'])
    assert.deepEqual(root[key], pkg[key], `${key} differs between package.json and package-lock.json`);
});
