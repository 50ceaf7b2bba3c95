/**
 * The crash-safe file store on real files: every byte or an error, a bad file set aside (never
 * a throw at start), the last good copy used, temp files of a killed writer swept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AtomicJsonFile, StateWriteError, type StorageLog } from '../../src/storage/atomic-json-file.js';
import { FileAgentStateStore } from '../../src/storage/agent-state.js';
import { FileModelStore } from '../../src/storage/model-store.js';
import { tempDir } from '../helpers/agent-harness.js';

function recordingLog(): StorageLog & { lines: { level: string; obj: object; msg: string }[] } {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, warn: at('warn'), info: at('info'), error: at('error') };
}

test('a written document reads back; the previous one is kept as the last good copy', () => {
  const dir = tempDir();
  const file = new AtomicJsonFile<{ n: number }>(path.join(dir, 'doc.json'));
  assert.equal(file.read(), undefined);
  file.write({ n: 1 });
  file.write({ n: 2 });
  assert.deepEqual(file.read(), { n: 2 });
  assert.deepEqual(JSON.parse(fs.readFileSync(file.backupPath, 'utf8')), { n: 1 });
  fs.rmSync(dir, { recursive: true });
});

for (const [what, spoil] of [
  ['truncated JSON', (f: string) => fs.writeFileSync(f, '{"values":{"Device.X":"abc')],
  ['garbage', (f: string) => fs.writeFileSync(f, Buffer.from([0xff, 0x00, 0x13, 0x37]))],
  ['a wrong shape', (f: string) => fs.writeFileSync(f, JSON.stringify({ values: [], notification: 'x', accessList: {} }))],
  ['a directory in its place', (f: string) => fs.mkdirSync(f)],
] as const) {
  test(`a state file with ${what} is set aside, named in the log, and the last good copy is used`, () => {
    const dir = tempDir();
    const log = recordingLog();
    const store = new FileModelStore(dir, log);
    store.save({ values: { 'Device.A': '1' }, notification: {}, accessList: {} });
    store.save({ values: { 'Device.A': '2' }, notification: {}, accessList: {} });
    const main = path.join(dir, 'data-model.json');
    fs.rmSync(main);
    spoil(main);
    const loaded = new FileModelStore(dir, log).load();
    assert.deepEqual(loaded?.values, { 'Device.A': '1' }, 'the last good copy');
    const aside = log.lines.find((l) => l.msg === 'state file unusable: set aside');
    assert.ok(aside, JSON.stringify(log.lines));
    const keptAs = (aside.obj as { keptAs: string }).keptAs;
    assert.ok(fs.existsSync(keptAs), `${keptAs} kept for a person to look at`);
    assert.ok(!fs.existsSync(main) || fs.statSync(main).isFile(), 'the bad file is out of the way');
    fs.rmSync(dir, { recursive: true });
  });
}

test('with no usable copy at all the store starts from defaults and says so', () => {
  const dir = tempDir();
  const log = recordingLog();
  fs.writeFileSync(path.join(dir, 'agent-state.json'), JSON.stringify({ transfers: 'not a list', events: [] }));
  const state = new FileAgentStateStore(dir, log).load();
  assert.deepEqual(state.transfers, []);
  assert.deepEqual(state.events, []);
  assert.ok(log.lines.some((l) => l.msg.includes('starting from defaults')));
  assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('agent-state.json.corrupt-')));
  fs.rmSync(dir, { recursive: true });
});

test('temp files a killed writer left are removed at start; other files are not', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'agent-state.json.4242.tmp'), '{"events":[');
  fs.writeFileSync(path.join(dir, 'agent-state.json.notes'), 'keep');
  new FileAgentStateStore(dir).load();
  assert.deepEqual(fs.readdirSync(dir).sort(), ['agent-state.json.notes']);
  fs.rmSync(dir, { recursive: true });
});

test('a write into a directory it cannot create fails with a StateWriteError and leaves no temp file', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'not-a-dir'), '');
  const file = new AtomicJsonFile(path.join(dir, 'not-a-dir', 'doc.json'));
  assert.throws(
    () => file.write({ a: 1 }),
    (err: unknown) => err instanceof StateWriteError && /ENOTDIR|EEXIST/.test(err.code),
  );
  assert.deepEqual(fs.readdirSync(dir), ['not-a-dir']);
  fs.rmSync(dir, { recursive: true });
});

test('a state file from a newer agent (fields this one does not know) is used, and its extra fields are kept on the next save', () => {
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, 'agent-state.json'),
    JSON.stringify({ formatVersion: 7, events: [{ code: '1 BOOT', commandKey: '' }], duStates: [{ uuid: 'x' }], retryCount: 2 }),
  );
  const store = new FileAgentStateStore(dir);
  const state = store.load();
  assert.deepEqual(state.events, [{ code: '1 BOOT', commandKey: '' }]);
  assert.equal(state.retryCount, 2);
  store.save(state);
  const saved = JSON.parse(fs.readFileSync(path.join(dir, 'agent-state.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(saved['formatVersion'], 7);
  assert.deepEqual(saved['duStates'], [{ uuid: 'x' }]);
  fs.rmSync(dir, { recursive: true });
});
