/** Profiles and identities: snapshots in JSON and CSV, shared values, added tables, shards. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildProfile, loadProfile, parseCsv, snapshotFromCsv } from '../../src/fleet/profile.js';
import { identityFor, macFor, serialFor, shardRange, DEFAULT_TEMPLATE } from '../../src/fleet/identity-template.js';
import { DataModel } from '../../src/datamodel/data-model.js';
import { LiveModelStore } from '../../src/storage/model-store.js';
import { tempDir } from '../helpers/agent-harness.js';
import { BBF_DIR } from '../helpers/xsd.js';
import { definitionsFromBbf, loadBbfModel } from '../../src/models/bbf-loader.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';

test('CSV: quotes, doubled quotes, commas and newlines inside fields', () => {
  assert.deepEqual(parseCsv('a,b\n"x, y","say ""hi"""\r\n"multi\nline",z\n'), [
    ['a', 'b'],
    ['x, y', 'say "hi"'],
    ['multi\nline', 'z'],
  ]);
  assert.throws(() => snapshotFromCsv('path,val\nDevice.X,1\n'), /"name" and "value"/);
  // Blank rows and rows of unequal length pass; a quote never closed is an error that says so.
  assert.deepEqual(parseCsv('\ufeffa,b\n\n,\nc\n'), [['a', 'b'], ['c']]);
  assert.throws(() => parseCsv('a,b\n"never closed,1\n'), /^Error: not CSV: /);
});

test('a snapshot adds tables the model lacks, counts their instances, and skips secrets', () => {
  const p = buildProfile({ name: 't' }, [
    { name: 'Device.WiFi.RadioNumberOfEntries', value: '9' },
    { name: 'Device.WiFi.Radio.1.Channel', value: '6', type: 'xsd:unsignedInt', writable: true },
    { name: 'Device.WiFi.Radio.3.Channel', value: '36', type: 'unsignedInt', writable: true },
    { name: 'Device.ManagementServer.ConnectionRequestPassword', value: 'leaked' },
    { name: 'Device.DeviceInfo.Description', value: 'from the snapshot' },
    { name: 'NotDevice.X', value: '1' },
  ]);
  assert.deepEqual(
    p.skipped.map((s) => s.name),
    ['Device.ManagementServer.ConnectionRequestPassword', 'NotDevice.X'],
  );
  const a = new DataModel(p.schema, new LiveModelStore(), [p.provider!], Object.create(p.values) as Record<string, string>);
  const b = new DataModel(p.schema, new LiveModelStore(), [p.provider!], Object.create(p.values) as Record<string, string>);
  assert.equal(a.read('Device.WiFi.RadioNumberOfEntries'), '2', 'counted from the instances, not the snapshot value');
  assert.deepEqual(
    a.getParameterNames('Device.WiFi.Radio.', true).map((x) => x.name),
    ['Device.WiFi.Radio.1.', 'Device.WiFi.Radio.3.'],
  );
  assert.equal(a.read('Device.DeviceInfo.Description'), 'from the snapshot');
  a.setParameterValues([{ name: 'Device.WiFi.Radio.1.Channel', value: '11' }], 'Device.ManagementServer.ParameterKey', 'k');
  assert.equal(a.read('Device.WiFi.Radio.1.Channel'), '11');
  assert.equal(b.read('Device.WiFi.Radio.1.Channel'), '6', "devices share the profile, not each other's changes");
  assert.throws(() => a.setParameterValues([{ name: 'Device.WiFi.Radio.1.Channel', value: 'six' }], 'Device.ManagementServer.ParameterKey', 'k'), /9003/);
});

test('shipped profiles load, and a JSON profile may take its parameters from a CSV beside it', () => {
  const stb = loadProfile('stb');
  const gw = loadProfile('gateway');
  assert.equal(stb.identity.productClass, 'STB-UHD');
  assert.equal(gw.identity.productClass, 'HGW-AX3000');
  assert.deepEqual(stb.skipped, []);
  assert.deepEqual(gw.skipped, []);
  assert.ok(gw.schema.parameters.has('Device.WiFi.SSID.{i}.SSID'));
  const dir = tempDir('profile-');
  fs.writeFileSync(path.join(dir, 'p.csv'), 'name,value,type,writable\nDevice.Hosts.Host.1.HostName,printer,string,false\n');
  fs.writeFileSync(
    path.join(dir, 'p.json'),
    JSON.stringify({ name: 'mine', identity: { productClass: 'Mine' }, parametersCsv: 'p.csv', parameters: { 'Device.DeviceInfo.Description': 'd' } }),
  );
  const mine = loadProfile(path.join(dir, 'p.json'));
  assert.equal(mine.values['Device.Hosts.Host.1.HostName'], 'printer');
  assert.equal(mine.values['Device.DeviceInfo.Description'], 'd');
  assert.throws(() => loadProfile(path.join(dir, 'missing.json')), /cannot read profile/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('shipped profiles name Broadband Forum parameters with their standard type and access', {
  skip: fs.existsSync(path.join(BBF_DIR, 'tr-181-2-17-0-cwmp-full.xml')) ? undefined : `Broadband Forum models not found in ${BBF_DIR}`,
}, () => {
  const standard = new Map<string, { type: string; writable: boolean }>();
  for (const [file, mountAt] of [
    ['tr-181-2-17-0-cwmp-full.xml', undefined],
    ['tr-135-1-4-1-cwmp-full.xml', 'Device.Services.'],
  ] as const) {
    const defs = definitionsFromBbf(loadBbfModel(fs.readFileSync(path.join(BBF_DIR, file), 'utf8')), mountAt ? { mountAt } : {});
    for (const d of defs.parameters) standard.set(d.name, { type: d.type, writable: d.writable });
  }
  for (const name of ['stb', 'gateway']) {
    const p = loadProfile(name);
    for (const [schemaPath, def] of p.schema.parameters) {
      if (BUILT_IN_SCHEMA.parameters.has(schemaPath)) continue;
      const std = standard.get(schemaPath);
      assert.ok(std, `${name}: ${schemaPath} is a standard parameter`);
      assert.equal(def.type, std.type, `${name}: type of ${schemaPath}`);
      if (!def.countOf) assert.equal(def.writable, std.writable, `${name}: access of ${schemaPath}`);
    }
  }
});

test('identities: serial patterns, MACs from the index, shards cover the range exactly once', () => {
  assert.equal(serialFor('SIM{n:8}', 42), 'SIM00000042');
  assert.equal(serialFor('X-{n}-{n:3}', 7), 'X-7-007');
  assert.equal(macFor('02:c0:de', 0x010203), '02:C0:DE:01:02:03');
  assert.throws(() => macFor('02:C0', 1), /three bytes/);
  assert.equal(identityFor(DEFAULT_TEMPLATE, 5).serialNumber, 'SIM00000005');
  for (const [count, total] of [
    [10, 3],
    [1000, 7],
    [5, 5],
    [3, 4],
  ] as const) {
    const seen: number[] = [];
    for (let i = 0; i < total; i++) {
      const { start, end } = shardRange(count, i, total);
      for (let k = start; k < end; k++) seen.push(k);
    }
    assert.deepEqual(
      seen,
      Array.from({ length: count }, (_, k) => k),
    );
  }
  assert.throws(() => shardRange(10, 3, 3), /not one of/);
});

test('a fleet honours dataModel.extraModels: a TR-104 VoiceService mounted under Device.Services. answers', {
  timeout: 60_000,
  skip: fs.existsSync(path.join(BBF_DIR, 'tr-104-2-0-2-cwmp-full.xml')) ? undefined : 'no TR-104 model in ../shared/bbf',
}, async () => {
  const { TestAcs } = await import('../../src/acs/test-acs.js');
  const { parameterValues } = await import('../../src/acs/acs-messages.js');
  const { execFile } = await import('node:child_process');
  const { bin } = await import('../helpers/agent-process.js');
  const acs = new TestAcs();
  const url = await acs.listen();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-extra-'));
  const config = path.join(dir, 'fleet.yaml');
  fs.writeFileSync(config, `dataModel:\n  extraModels:\n    - file: ${path.join(BBF_DIR, 'tr-104-2-0-2-cwmp-full.xml')}\n      mountAt: Device.Services.\n`);
  acs.queue('STB000000000', {
    method: 'GetParameterValues',
    // MaxNumberOfLines is TR-104's and not in the built-in voice subset: only the extra model defines it.
    parameterNames: [
      'Device.Services.VoiceServiceNumberOfEntries',
      'Device.Services.VoiceService.1.CallControl.MaxNumberOfLines',
      'Device.Services.STBServiceNumberOfEntries',
    ],
  });
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        [bin, 'fleet', '--config', config, '--count', '1', '--scenario', 'boot-storm', '--boot-window', '0', '--acs-url', url, '--cr-port', '0'],
        { timeout: 45_000 },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    const answer = acs.responses('STB000000000')[0]!;
    assert.equal(answer.method, 'GetParameterValuesResponse');
    const values = parameterValues(answer);
    assert.equal(values['Device.Services.VoiceServiceNumberOfEntries']?.value, '1', 'the built-in simulated voice service');
    assert.ok(values['Device.Services.VoiceService.1.CallControl.MaxNumberOfLines'], 'a TR-104 parameter only the extra model defines answers');
    assert.equal(values['Device.Services.STBServiceNumberOfEntries']?.value, '1', "the profile's own model is still there");
  } finally {
    await acs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
