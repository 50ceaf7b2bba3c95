/** Every object and parameter the built-in model declares matches the Broadband Forum definition. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadBbfModel, toSchemaPath, type BbfModel } from '../../src/models/bbf-loader.js';
import type { ParameterDefinition, TableDefinition } from '../../src/datamodel/schema.js';
import { BUILT_IN_PARAMETERS, BUILT_IN_TABLES } from '../../src/models/built-in.js';
import { BBF_DIR } from '../helpers/xsd.js';

const tr181 = path.join(BBF_DIR, 'tr-181-2-17-0-cwmp-full.xml');

/** Where our definitions differ from a Broadband Forum model in name, type, access, forced Inform or instance shape. */
function conformanceProblems(model: BbfModel, what: string, parameters: readonly ParameterDefinition[], tables: readonly TableDefinition[]): string[] {
  const problems: string[] = [];
  for (const def of parameters) {
    const bbf = model.parameters.get(toSchemaPath(def.name));
    if (!bbf) {
      problems.push(`${def.name}: not in ${what}`);
      continue;
    }
    if (bbf.writable !== def.writable) problems.push(`${def.name}: writable ${def.writable}, ${what} says ${bbf.writable}`);
    if (bbf.type !== def.type) problems.push(`${def.name}: type ${def.type}, ${what} says ${bbf.type}`);
    if (bbf.forcedInform && !def.forcedInform) problems.push(`${def.name}: ${what} forces it into every Inform`);
    if (bbf.activeNotify === 'forceEnabled' && def.activeNotify !== 'forceEnabled') problems.push(`${def.name}: ${what} forces active notification`);
    const objectPath = toSchemaPath(def.name.slice(0, def.name.lastIndexOf('.') + 1));
    if (!model.objects.has(objectPath)) problems.push(`${def.name}: object ${objectPath} not in ${what}`);
  }
  for (const table of tables) {
    const bbf = model.objects.get(table.name);
    if (!bbf?.multiInstance) problems.push(`${table.name}: not a multi-instance object in ${what}`);
    // A device may offer less than the model allows (its DT says so), never more.
    else if (table.writable && !bbf.writable) problems.push(`${table.name}: AddObject allowed, ${what} does not allow it`);
  }
  return problems;
}
const skip = fs.existsSync(tr181) ? undefined : `Broadband Forum model not found at ${tr181}`;

/** TR-135's objects (and their count) live under Device.Services. in the built-in model; the rest is TR-181's. */
const isStbService = (name: string): boolean => name.startsWith('Device.Services.STBService');
/** TR-140's likewise. */
const isStorageService = (name: string): boolean => name.startsWith('Device.Services.StorageService');
const isVoiceService = (name: string): boolean => name.startsWith('Device.Services.VoiceService');

test('every built-in TR-181 definition (all of built-in.ts, not a hand list): same names, types, access and instance shape as TR-181 2.17', { skip }, () => {
  const model = loadBbfModel(fs.readFileSync(tr181, 'utf8'));
  assert.equal(model.name, 'Device:2.17');
  // The counts CWMP-FACTS gives for the full file: the loader reads all of it.
  assert.equal(model.objects.size, 790);
  assert.equal(model.parameters.size, 6483);
  const parameters = BUILT_IN_PARAMETERS.filter((d) => !isStbService(d.name) && !isStorageService(d.name) && !isVoiceService(d.name));
  const tables = BUILT_IN_TABLES.filter((t) => !isStbService(t.name) && !isStorageService(t.name) && !isVoiceService(t.name));
  assert.ok(parameters.length > 400, `${parameters.length} TR-181 parameters checked`);
  assert.deepEqual(conformanceProblems(model, 'TR-181', parameters, tables), []);
});

test('the loader can fail: a wrong type is reported', { skip }, () => {
  const model = loadBbfModel(fs.readFileSync(tr181, 'utf8'));
  assert.equal(model.parameters.get('Device.ManagementServer.PeriodicInformInterval')!.type, 'unsignedInt');
  assert.notEqual(model.parameters.get('Device.DeviceInfo.UpTime')!.type, 'string');
  assert.equal(model.objects.get('Device.XMPP.Connection.{i}.')!.multiInstance, true);
});

const tr135 = path.join(BBF_DIR, 'tr-135-1-4-1-cwmp-full.xml');

test('built-in TR-135 STBService parameters match STBService:1.4', {
  skip: fs.existsSync(tr135) ? undefined : `Broadband Forum model not found at ${tr135}`,
}, async () => {
  const STB_PARAMETERS = BUILT_IN_PARAMETERS.filter((d) => isStbService(d.name));
  const STB_TABLES = BUILT_IN_TABLES.filter((t) => isStbService(t.name));
  const model = loadBbfModel(fs.readFileSync(tr135, 'utf8'));
  assert.equal(model.name, 'STBService:1.4');
  assert.equal(model.objects.size, 99);
  // 518 in its objects, and the service's own STBServiceNumberOfEntries under <model>.
  assert.equal(model.parameters.size, 519);
  const local = (name: string): string => name.replace(/^Device\.Services\./, '');
  const problems: string[] = [];
  for (const def of STB_PARAMETERS) {
    const bbf = model.parameters.get(local(def.name));
    if (!bbf) {
      problems.push(`${def.name}: not in TR-135`);
      continue;
    }
    if (bbf.writable !== def.writable) problems.push(`${def.name}: writable ${def.writable}, TR-135 says ${bbf.writable}`);
    if (bbf.type !== def.type) problems.push(`${def.name}: type ${def.type}, TR-135 says ${bbf.type}`);
  }
  for (const table of STB_TABLES) if (!model.objects.get(local(table.name))?.multiInstance) problems.push(`${table.name}: not multi-instance in TR-135`);
  assert.deepEqual(problems, []);
});

const tr098 = path.join(BBF_DIR, 'tr-098-1-8-0-full.xml');
const skip098 = fs.existsSync(tr098) ? undefined : `Broadband Forum model not found at ${tr098}`;

test('built-in TR-098 model: same names, types, access and shape as InternetGatewayDevice:1.14 (TR-098 Amendment 8)', { skip: skip098 }, async () => {
  const { IGD_PARAMETERS, IGD_TABLES } = await import('../../src/models/igd.js');
  const xml = fs.readFileSync(tr098, 'utf8');
  const model = loadBbfModel(xml);
  assert.equal(model.name, 'InternetGatewayDevice:1.14');
  assert.deepEqual(conformanceProblems(model, 'TR-098', IGD_PARAMETERS, IGD_TABLES), []);
  // Every forced Inform parameter of TR-098 is there and forced.
  const ours = new Map(IGD_PARAMETERS.map((d) => [d.name, d]));
  const forced = [...model.parameters.values()].filter((p) => p.forcedInform).map((p) => p.name);
  assert.ok(forced.length >= 7);
  for (const name of forced) assert.equal(ours.get(name)?.forcedInform, true, `${name} is forced in TR-098`);
});

test('TR-098 DeviceSummary names only profiles the built-in model implements in full', { skip: skip098 }, async () => {
  const { IGD_PARAMETERS, IGD_TABLES } = await import('../../src/models/igd.js');
  const xml = fs.readFileSync(tr098, 'utf8');
  const summary = IGD_PARAMETERS.find((d) => d.name === 'InternetGatewayDevice.DeviceSummary')!.default;
  const profiles = /\[\]\(([^)]*)\)$/
    .exec(summary)![1]!
    .split(',')
    .map((p) => p.trim());
  assert.ok(profiles.includes('Baseline:1'));
  const names = new Set([...IGD_PARAMETERS.map((d) => d.name), ...IGD_TABLES.map((t) => t.name)]);
  const missing: string[] = [];
  for (const profile of profiles) {
    const start = xml.indexOf(`<profile name="${profile}"`);
    assert.ok(start >= 0, `${profile} is a TR-098 profile`);
    const body = xml.slice(start, xml.indexOf('</profile>', start));
    let object = '';
    for (const m of body.matchAll(/<(object|parameter)\s[^>]*?ref="([^"]*)"/g)) {
      if (m[1] === 'object') {
        object = m[2]!;
        if (object.endsWith('{i}.') && !names.has(object)) missing.push(`${profile}: ${object}`);
      } else if (!names.has(object + m[2]!)) missing.push(`${profile}: ${object}${m[2]!}`);
    }
  }
  assert.deepEqual(missing, []);
});

const tr140 = path.join(BBF_DIR, 'tr-140-1-3-1-cwmp-full.xml');

test('built-in TR-140 StorageService parameters match StorageService:1.3', {
  skip: fs.existsSync(tr140) ? undefined : `Broadband Forum model not found at ${tr140}`,
}, () => {
  const model = loadBbfModel(fs.readFileSync(tr140, 'utf8'));
  assert.equal(model.name, 'StorageService:1.3');
  const local = (name: string): string => name.replace(/^Device\.Services\./, '');
  // The service's own count sits under <model>, outside any object: checked by itself.
  const parameters = BUILT_IN_PARAMETERS.filter((d) => isStorageService(d.name) && d.name.includes('.{i}.')).map((d) => ({ ...d, name: local(d.name) }));
  assert.equal(model.parameters.get('StorageServiceNumberOfEntries')?.type, 'unsignedInt');
  const tables = BUILT_IN_TABLES.filter((t) => isStorageService(t.name)).map((t) => ({ ...t, name: local(t.name) }));
  assert.ok(parameters.length >= 39, `${parameters.length} TR-140 parameters checked`);
  assert.deepEqual(conformanceProblems(model, 'TR-140', parameters, tables), []);
});

const tr104 = path.join(BBF_DIR, 'tr-104-2-0-2-cwmp-full.xml');

test('built-in TR-104 VoiceService parameters match VoiceService:2.0', {
  skip: fs.existsSync(tr104) ? undefined : `Broadband Forum model not found at ${tr104}`,
}, () => {
  const model = loadBbfModel(fs.readFileSync(tr104, 'utf8'));
  assert.match(model.name, /^VoiceService:2\.0/);
  const local = (name: string): string => name.replace(/^Device\.Services\./, '');
  // The service's own count sits under <model>, outside any object: checked by itself.
  const parameters = BUILT_IN_PARAMETERS.filter((d) => isVoiceService(d.name) && d.name.includes('.{i}.')).map((d) => ({ ...d, name: local(d.name) }));
  const tables = BUILT_IN_TABLES.filter((t) => isVoiceService(t.name)).map((t) => ({ ...t, name: local(t.name) }));
  assert.equal(model.parameters.get('VoiceServiceNumberOfEntries')?.type, 'unsignedInt');
  assert.ok(parameters.length >= 70, `${parameters.length} TR-104 parameters checked`);
  assert.deepEqual(conformanceProblems(model, 'TR-104', parameters, tables), []);
});
