/** The DT export: every supported object and parameter, with the access and bounds an ACS needs; standard names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { childNamed, readXml } from '../../src/cwmp/xml-reader.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';
import { exportDeviceType } from '../../src/models/dt-export.js';
import { definitionsFromBbf, loadBbfModel } from '../../src/models/bbf-loader.js';
import { BBF_DIR } from '../helpers/xsd.js';
import { bin } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/agent-harness.js';

function parse(
  xml: string,
): Map<string, { access: string; min: string; max: string; params: Map<string, { access: string; activeNotify: string | undefined }> }> {
  const root = readXml(xml);
  const attr = (el: { attributes: { local: string; value: string }[] }, n: string): string | undefined => el.attributes.find((a) => a.local === n)?.value;
  const out = new Map();
  for (const o of childNamed(root, 'model')!.children.filter((c) => c.local === 'object')) {
    const params = new Map(
      o.children.filter((c) => c.local === 'parameter').map((p) => [attr(p, 'ref')!, { access: attr(p, 'access')!, activeNotify: attr(p, 'activeNotify') }]),
    );
    out.set(attr(o, 'ref')!, { access: attr(o, 'access')!, min: attr(o, 'minEntries')!, max: attr(o, 'maxEntries')!, params });
  }
  return out;
}

test('the DT lists every built-in object and parameter once, with access, bounds and notification rules', () => {
  const dt = parse(exportDeviceType(BUILT_IN_SCHEMA, { deviceType: 'urn:example-com:stb-1-0-0', uuid: '0f0e7f4a-7d2a-4c55-9b1a-3d2f1e0c9b8a' }));
  const count = [...dt.values()].reduce((n, o) => n + o.params.size, 0);
  assert.equal(count, BUILT_IN_SCHEMA.parameters.size);
  assert.deepEqual(
    dt.get('Device.Users.User.{i}.') && {
      access: dt.get('Device.Users.User.{i}.')!.access,
      min: dt.get('Device.Users.User.{i}.')!.min,
      max: dt.get('Device.Users.User.{i}.')!.max,
    },
    { access: 'createDelete', min: '0', max: 'unbounded' },
  );
  assert.equal(dt.get('Device.DeviceInfo.')!.access, 'readOnly');
  assert.equal(dt.get('Device.DeviceInfo.')!.max, '1');
  assert.deepEqual(dt.get('Device.DeviceInfo.')!.params.get('SoftwareVersion'), { access: 'readOnly', activeNotify: 'forceEnabled' });
  assert.equal(dt.get('Device.ManagementServer.')!.params.get('URL')!.access, 'readWrite');
  const refs = [...dt.keys()];
  assert.deepEqual(refs, [...refs].sort(), 'parents come before their children');
});

const tr181 = path.join(BBF_DIR, 'tr-181-2-17-0-cwmp-full.xml');
test('every object and parameter in the DT is a standard one with the standard access', {
  skip: fs.existsSync(tr181) ? undefined : `Broadband Forum model not found at ${tr181}`,
}, () => {
  const std = new Map<string, boolean>();
  for (const [file, mountAt] of [
    ['tr-181-2-17-0-cwmp-full.xml', undefined],
    ['tr-135-1-4-1-cwmp-full.xml', 'Device.Services.'],
    ['tr-140-1-3-1-cwmp-full.xml', 'Device.Services.'],
    ['tr-104-2-0-2-cwmp-full.xml', 'Device.Services.'],
  ] as const) {
    const defs = definitionsFromBbf(loadBbfModel(fs.readFileSync(path.join(BBF_DIR, file), 'utf8')), mountAt ? { mountAt } : {});
    for (const d of defs.parameters) std.set(d.name, d.writable);
  }
  // TR-135 defines this one at its service root, outside any object.
  std.set('Device.Services.STBServiceNumberOfEntries', false);
  std.set('Device.Services.StorageServiceNumberOfEntries', false);
  std.set('Device.Services.VoiceServiceNumberOfEntries', false);
  const dt = parse(exportDeviceType(BUILT_IN_SCHEMA, { deviceType: 'urn:x', uuid: '0f0e7f4a-7d2a-4c55-9b1a-3d2f1e0c9b8a' }));
  for (const [object, o] of dt) {
    for (const [name, p] of o.params) {
      const writable = std.get(object + name);
      assert.ok(writable !== undefined, `${object}${name} is standard`);
      assert.equal(p.access, writable ? 'readWrite' : 'readOnly', `access of ${object}${name}`);
    }
  }
});

test("cwmp-agent export-dt writes the model, a fleet profile's additions included", () => {
  const dir = tempDir('dt-');
  const out = path.join(dir, 'gateway-dt.xml');
  const r = spawnSync(process.execPath, [bin, 'export-dt', '--profile', 'gateway', '--device-type', 'urn:example-com:hgw-1-0-0', '--out', out], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const dt = parse(fs.readFileSync(out, 'utf8'));
  assert.ok(dt.get('Device.WiFi.Radio.{i}.')!.params.has('Channel'));
  fs.rmSync(dir, { recursive: true, force: true });
});

const tr098 = path.join(BBF_DIR, 'tr-098-1-8-0-full.xml');

test("a TR-098 device's DT imports the TR-098 model it names, and lists only standard TR-098 parameters", {
  skip: fs.existsSync(tr098) ? undefined : `Broadband Forum model not found at ${tr098}`,
}, async () => {
  const { IGD_SCHEMA } = await import('../../src/models/igd.js');
  const xml = exportDeviceType(IGD_SCHEMA, { deviceType: 'urn:x', uuid: '0f0e7f4a-7d2a-4c55-9b1a-3d2f1e0c9b8a' });
  const source = fs.readFileSync(tr098, 'utf8');
  const bbf = loadBbfModel(source);
  const spec = /<dm:document[^>]*\sspec="([^"]+)"/.exec(source)?.[1];
  assert.ok(xml.includes(`spec="${spec}"`), `imports ${spec}`);
  assert.ok(xml.includes(`<model name="${bbf.name}"/>`) && xml.includes(`<model ref="${bbf.name}">`), `names ${bbf.name}`);
  const std = new Map(definitionsFromBbf(bbf).parameters.map((d) => [d.name, d.writable]));
  for (const [object, o] of parse(xml)) {
    for (const [name, p] of o.params) {
      assert.ok(std.has(object + name), `${object}${name} is standard`);
      assert.equal(p.access, std.get(object + name) ? 'readWrite' : 'readOnly', `access of ${object}${name}`);
    }
  }
});
