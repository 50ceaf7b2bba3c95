/**
 * The wire trace for real: a fleet started from the CLI writes each device's envelopes (which
 * parse), a single agent's trace hides its secrets unless told, the directory stays within its
 * cap, `trace show` reads as a conversation, and log level trace carries the envelopes too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { readCpeMessage } from '../../src/acs/acs-messages.js';
import type { TraceRecord } from '../../src/log/trace-record.js';
import { WireTrace, wireTraceFor } from '../../src/log/wire-trace.js';
import { readableUspMsg } from '../../src/log/usp-msg-text.js';
import { showTrace } from '../../src/observability/trace-show.js';
import { sessionsCompleted, startHarness, tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';

const readTrace = (file: string): TraceRecord[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceRecord);

test('a fleet with --trace writes one file per device whose envelopes parse, both directions', { timeout: 60_000 }, () => {
  const dir = tempDir('trace-');
  try {
    execFileSync(process.execPath, [bin, 'fleet', '--count', '3', '--scenario', 'boot-storm', '--boot-window', '1', '--cr-port', '0', '--trace', dir], {
      stdio: 'pipe',
      timeout: 45_000,
    });
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    assert.equal(files.length, 3, files.join(', '));
    for (const f of files) {
      const records = readTrace(path.join(dir, f));
      const out = records.filter((r) => r.kind === 'cwmp' && r.dir === 'cpe→acs');
      const back = records.filter((r) => r.kind === 'cwmp' && r.dir === 'acs→cpe');
      assert.ok(out.length >= 2 && back.length >= 2, `${f}: ${records.length} records`);
      const inform = readCpeMessage(out[0]!.body!);
      assert.equal(inform.method, 'Inform');
      assert.equal(`${inform.body?.children.find((c) => c.local === 'DeviceId')?.children.find((c) => c.local === 'SerialNumber')?.text}.jsonl`, f);
      assert.equal(readCpeMessage(back[0]!.body!).method, 'InformResponse');
      assert.equal(back[0]!.status, 200);
      assert.equal(typeof back[0]!.ms, 'number');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

for (const keepSecrets of [false, true]) {
  test(`the trace ${keepSecrets ? 'keeps secrets with --trace-secrets' : 'hides passwords and Authorization by default'}; trace show reads it`, async () => {
    const dir = tempDir('trace-');
    const wire = new WireTrace({ dir, keepSecrets });
    const serial = simulatedIdentity('harness').serialNumber;
    const h = await startHarness({
      acs: { auth: { scheme: 'digest', username: 'cpe', password: 'acs-secret' } },
      agent: { acsUsername: 'cpe', acsPassword: 'acs-secret', trace: wire.forDevice(serial) },
    });
    const agent = h.agent;
    try {
      h.acs.queue(
        h.serial,
        {
          method: 'SetParameterValues',
          parameterList: [{ name: 'Device.ManagementServer.ConnectionRequestPassword', value: 'cr-SECRET', type: 'string' }],
          parameterKey: 'k',
        },
        { method: 'GetParameterValues', parameterNames: ['Device.NoSuchThing'] },
      );
      agent.start();
      await sessionsCompleted(h, 1);
      await agent.stop();
      wire.flush();
      const text = fs.readFileSync(path.join(dir, `${h.serial}.jsonl`), 'utf8');
      assert.equal(text.includes('cr-SECRET'), keepSecrets, 'the password set by SetParameterValues');
      assert.equal(/"authorization":"Digest /.test(text), keepSecrets, 'the Authorization header');
      if (!keepSecrets) assert.match(text, /\[hidden\]/);
      const shown = showTrace(text);
      assert.match(shown, /CPE → ACS +Inform +\S+ +events: .*1 BOOT/);
      assert.match(shown, /ACS → CPE +200 SetParameterValues/);
      assert.match(shown, /CPE → ACS +Fault 9005/);
      assert.match(shown, /ACS → CPE +401/);
    } finally {
      await h.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the trace directory stays within its cap: files rotate, the oldest go first', () => {
  const dir = tempDir('trace-cap-');
  const body = `<x>${'y'.repeat(900)}</x>`;
  const write = (wire: WireTrace, devices: number, rounds: number): void => {
    for (let round = 0; round < rounds; round++) {
      for (let d = 0; d < devices; d++) wire.forDevice(`DEV${d}`)({ kind: 'cwmp', session: round, dir: 'cpe→acs', body });
      wire.flush();
    }
  };
  const sizes = (): number[] => fs.readdirSync(dir).map((f) => fs.statSync(path.join(dir, f)).size);
  // A few devices: each file is rotated once it passes its cap.
  write(new WireTrace({ dir, maxFileBytes: 8 * 1024, maxDirBytes: 1024 * 1024 }), 2, 20);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['DEV0.1.jsonl', 'DEV0.jsonl', 'DEV1.1.jsonl', 'DEV1.jsonl']);
  for (const size of sizes()) assert.ok(size <= 8 * 1024, `${size} bytes in one file`);
  // Many devices against a small directory cap: the oldest files go, the total stays under it.
  write(new WireTrace({ dir, maxFileBytes: 8 * 1024, maxDirBytes: 64 * 1024 }), 30, 20);
  const total = sizes().reduce((a, b) => a + b, 0);
  assert.ok(total <= 64 * 1024, `${total} bytes on disk`);
  assert.ok(!fs.existsSync(path.join(dir, 'DEV0.1.jsonl')), 'the oldest went first');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('at log level trace the envelopes are in the log, secrets hidden', async () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write: (c, _e, done) => {
        lines.push(JSON.parse(c.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const h = await startHarness({ agent: { logger } });
  try {
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [{ name: 'Device.ManagementServer.ConnectionRequestPassword', value: 'log-SECRET', type: 'string' }],
      parameterKey: 'k',
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    const envelopes = lines.filter((l) => l['msg'] === 'envelope');
    assert.ok(envelopes.some((l) => String(l['envelope']).includes('<cwmp:Inform>') && l['direction'] === 'cpe→acs'));
    assert.ok(envelopes.some((l) => String(l['envelope']).includes('SetParameterValues') && l['direction'] === 'acs→cpe'));
    assert.ok(!JSON.stringify(lines).includes('log-SECRET'));
  } finally {
    await h.close();
  }
});

test('threads sharing one trace directory (fleet --workers) each keep to their share of its cap', () => {
  const dir = tempDir('trace-share-');
  try {
    const cap = { dir, maxFileBytes: 1 << 20, maxDirBytes: 8 << 20, secrets: false };
    assert.equal(wireTraceFor(cap)!.maxDirBytes, 8 << 20);
    const half = wireTraceFor(cap, 2)!;
    assert.equal(half.maxDirBytes, 4 << 20);
    assert.equal(wireTraceFor(cap, 16)!.maxFileBytes, 512 << 10, 'a file never outgrows its share');
    half.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('USP Msgs in the trace: readable JSON, secrets hidden (param_settings, result_params), other fields kept', () => {
  const set = {
    header: { msg_id: 's-1', msg_type: 'SET' },
    body: {
      request: {
        set: {
          allow_partial: false,
          update_objs: [
            {
              obj_path: 'Device.WiFi.AccessPoint.1.Security.',
              param_settings: [
                { param: 'KeyPassphrase', value: 'wifi-SECRET-1', required: true },
                { param: 'ModeEnabled', value: 'WPA2-Personal', required: true },
              ],
            },
          ],
        },
      },
    },
  };
  const text = readableUspMsg(set, false);
  assert.doesNotMatch(text, /wifi-SECRET-1/);
  assert.match(text, /"param":"KeyPassphrase","value":"\[hidden\]"/);
  assert.match(text, /WPA2-Personal/);
  assert.match(readableUspMsg(set, true), /wifi-SECRET-1/, 'a lab keeps them');
  const got = {
    header: { msg_id: 'g-1', msg_type: 'GET_RESP' },
    body: { response: { get_resp: { req_path_results: [{ resolved_path_results: [{ result_params: { Password: 'pw-SECRET-2', Username: 'admin' } }] }] } } },
  };
  const gotText = readableUspMsg(got, false);
  assert.doesNotMatch(gotText, /pw-SECRET-2/);
  assert.match(gotText, /admin/);
  const operate = { header: { msg_id: 'o-1', msg_type: 'OPERATE' }, body: { request: { operate: { command: 'Device.Reboot()', command_key: 'key-7' } } } };
  assert.match(readableUspMsg(operate, false), /"command_key":"key-7"/, 'a Msg field named like a key is no secret');
  assert.match(readableUspMsg({ payload: new Uint8Array([1, 2, 255]) }, false), /"0102ff"/);
});

test('a USP fleet writes every device’s Msgs to its wire trace, and trace show prints them', { timeout: 60_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-trace-'));
  try {
    execFileSync(process.execPath, [bin, 'fleet', '--protocol', 'usp', '--count', '2', '--scenario', 'boot-storm', '--boot-window', '0', '--trace', dir], {
      encoding: 'utf8',
      timeout: 50_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    assert.equal(files.length, 2, 'a file each');
    const shown = execFileSync(process.execPath, [bin, 'trace', 'show', path.join(dir, files[0]!), '--bodies'], { encoding: 'utf8' });
    assert.match(shown, /USP {2}agent → proto::\S+ {2}NOTIFY {2}notify-1/);
    assert.match(shown, /"on_board_req"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
