/**
 * Firmware upgrade through the command-line agent: the reboot is a real restart of the agent's
 * process, and power cuts (SIGKILL to the whole process group) during the download, during the
 * install and before the ACS acknowledges TransferComplete still end in exactly one
 * TransferComplete whose outcome matches the firmware that runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TestAcs } from '../../src/acs/test-acs.js';
import { parameterValues, readCpeMessage, textAt, type CpeMessageSummary } from '../../src/acs/acs-messages.js';
import type { AcsRequest } from '../../src/cwmp/messages.js';
import { buildFirmwareImage } from '../../src/providers/firmware-image.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { tempDir } from '../helpers/agent-harness.js';
import { startAgentProcess, type AgentProcess } from '../helpers/agent-process.js';
import { FileServer } from '../helpers/file-server.js';

const serial = simulatedIdentity('cwmp-agent').serialNumber;

interface Rig {
  acs: TestAcs;
  files: FileServer;
  stateDir: string;
  agents: AgentProcess[];
  start(logLevel?: string): AgentProcess;
  close(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const acs = new TestAcs();
  const url = await acs.listen();
  const files = new FileServer();
  await files.listen();
  const stateDir = tempDir();
  const agents: AgentProcess[] = [];
  return {
    acs,
    files,
    stateDir,
    agents,
    start(logLevel = 'silent') {
      const a = startAgentProcess(['--acs-url', url, '--state-dir', stateDir, '--cr-port', '0'], logLevel);
      agents.push(a);
      return a;
    },
    async close() {
      for (const a of agents) await a.powerCut();
      await acs.close();
      await files.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function download(url: string, commandKey: string, fileSize: number): AcsRequest {
  return {
    method: 'Download',
    commandKey,
    fileType: '1 Firmware Upgrade Image',
    url,
    username: '',
    password: '',
    fileSize,
    targetFileName: '',
    delaySeconds: 0,
    successURL: '',
    failureURL: '',
  };
}

/** Every TransferComplete the ACS received, acknowledged or not. */
function received(acs: TestAcs): CpeMessageSummary[] {
  return acs.sessions.flatMap((s) => s.messages.filter((m) => m.from === 'cpe' && m.method === 'TransferComplete').map((m) => readCpeMessage(m.body)));
}

function informAfter(acs: TestAcs, method: string): { events: string[]; softwareVersion: string | undefined } {
  const s = acs.sessions.find((x) => x.messages.some((m) => m.method === method))!;
  const inform = readCpeMessage(s.messages[0]!.body);
  return {
    events: s.events.map((e) => (e.commandKey ? `${e.code}:${e.commandKey}` : e.code)),
    softwareVersion: parameterValues(inform)['Device.DeviceInfo.SoftwareVersion']?.value,
  };
}

/** Resolves once the persisted transfer reaches `phase`, polling the state file closely. */
async function phaseReached(stateDir: string, phase: string, timeoutMs = 20_000): Promise<void> {
  const file = path.join(stateDir, 'agent-state.json');
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { transfers: { phase: string }[] };
      if (state.transfers.some((t) => t.phase === phase)) return;
    } catch {
      // mid-rename or not there yet
    }
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`transfer never reached ${phase}`);
}

test('Download in one session, install, a real restart of the agent process, then BOOT + TRANSFER COMPLETE with the new version', {
  timeout: 60_000,
}, async () => {
  const r = await rig();
  try {
    const image = buildFirmwareImage({ version: '2.0.0', payload: randomBytes(500_000) });
    r.files.files.set('fw.bin', { body: image });
    r.acs.queue(serial, download(r.files.url('fw.bin'), 'fw-2', image.length));
    const agent = r.start('info');
    await r.acs.waitFor(() => r.acs.acknowledged('TransferComplete', serial).length === 1, 30_000);
    const tc = r.acs.acknowledged('TransferComplete', serial)[0]!;
    assert.equal(textAt(tc.body, 'FaultStruct', 'FaultCode'), '0');
    const after = informAfter(r.acs, 'TransferComplete');
    // SoftwareVersion is forced active: the new version is a value change, noticed across the process restart.
    for (const e of ['1 BOOT', '7 TRANSFER COMPLETE', 'M Download:fw-2', '4 VALUE CHANGE'])
      assert.ok(after.events.includes(e), `${e} in ${after.events.join(', ')}`);
    assert.equal(after.softwareVersion, '2.0.0');
    const starts = agent.logs.filter((l) => l['msg'] === 'agent starting').map((l) => l['pid']);
    assert.equal(new Set(starts).size, 2, `two agent processes ran: ${starts.join(', ')}`);
  } finally {
    await r.close();
  }
});

test('power cut during the download: after restart the download resumes and exactly one TransferComplete reports success', { timeout: 60_000 }, async () => {
  const r = await rig();
  try {
    const image = buildFirmwareImage({ version: '2.0.0', payload: randomBytes(3_000_000) });
    r.files.files.set('fw.bin', { body: image, rateBytesPerSecond: 1_000_000 });
    r.acs.queue(serial, download(r.files.url('fw.bin'), 'cut-download', image.length));
    const first = r.start();
    await phaseReached(r.stateDir, 'transferring');
    const dir = path.join(r.stateDir, 'transfers');
    const staged = (): number =>
      fs.existsSync(dir)
        ? fs
            .readdirSync(dir)
            .filter((f) => f.endsWith('.part'))
            .reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0)
        : 0;
    await r.acs.waitFor(() => staged() > 200_000, 20_000);
    await first.powerCut();
    r.files.files.set('fw.bin', { body: image });
    r.start();
    await r.acs.waitFor(() => r.acs.acknowledged('TransferComplete', serial).length === 1, 30_000);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(received(r.acs).length, 1, 'exactly one TransferComplete');
    assert.equal(textAt(received(r.acs)[0]!.body, 'FaultStruct', 'FaultCode'), '0');
    assert.match(r.files.requests.at(-1)!.range ?? '', /^bytes=\d+-$/, 'the second attempt resumed with a Range request');
    assert.equal(informAfter(r.acs, 'TransferComplete').softwareVersion, '2.0.0');
  } finally {
    await r.close();
  }
});

test('power cut during the install: one TransferComplete, and its outcome matches the firmware that runs', { timeout: 60_000 }, async (t) => {
  const r = await rig();
  try {
    const image = buildFirmwareImage({ version: '2.0.0', payload: randomBytes(40_000_000) });
    r.files.files.set('fw.bin', { body: image });
    r.acs.queue(serial, download(r.files.url('fw.bin'), 'cut-install', image.length));
    const first = r.start();
    await phaseReached(r.stateDir, 'installing');
    await first.powerCut();
    r.start();
    await r.acs.waitFor(() => r.acs.acknowledged('TransferComplete', serial).length === 1, 30_000);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(received(r.acs).length, 1, 'exactly one TransferComplete');
    const code = textAt(received(r.acs)[0]!.body, 'FaultStruct', 'FaultCode');
    const version = informAfter(r.acs, 'TransferComplete').softwareVersion;
    t.diagnostic(`power cut during install → fault ${code}, running ${version}`);
    if (code === '0') assert.equal(version, '2.0.0', 'success reported: the new firmware runs');
    else {
      assert.equal(code, '9010');
      assert.equal(version, '1.0.0', 'failure reported: the old firmware still runs');
      assert.match(textAt(received(r.acs)[0]!.body, 'FaultStruct', 'FaultString') ?? '', /interrupted/);
    }
  } finally {
    await r.close();
  }
});

test('power cut before the ACS acknowledges TransferComplete: it is sent again and acknowledged once', { timeout: 60_000 }, async () => {
  const r = await rig();
  try {
    const image = buildFirmwareImage({ version: '2.0.0', payload: randomBytes(10_000) });
    r.files.files.set('fw.bin', { body: image });
    r.acs.dropNextCpeRequest('TransferComplete');
    r.acs.queue(serial, download(r.files.url('fw.bin'), 'cut-report', image.length));
    const first = r.start();
    await r.acs.waitFor(() => received(r.acs).length === 1, 30_000);
    await first.powerCut();
    r.start();
    await r.acs.waitFor(() => r.acs.acknowledged('TransferComplete', serial).length === 1, 30_000);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(received(r.acs).length, 2, 'the dropped one, then the acknowledged one');
    assert.equal(r.acs.acknowledged('TransferComplete', serial).length, 1);
    const [a, b] = received(r.acs);
    assert.equal(textAt(a!.body, 'CommandKey'), textAt(b!.body, 'CommandKey'));
    assert.equal(textAt(b!.body, 'FaultStruct', 'FaultCode'), '0');
    assert.equal(informAfter(r.acs, 'TransferComplete').softwareVersion, '2.0.0');
  } finally {
    await r.close();
  }
});
