/**
 * TR-111 behind a real NAT: network namespaces cpe ── nat (nftables masquerade) ── acs. The agent
 * runs in cpe, coturn and the test ACS in acs. STUN reveals the NAT's mapping, the ACS learns it
 * through a VALUE CHANGE Inform, and a UDP connection request sent to the mapped address from the
 * STUN server's own address and port reaches the agent and starts a session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { tempDir } from '../helpers/agent-harness.js';
import { buildNatTopology, netnsSkipReason } from '../helpers/netns.js';
import { startStunServer } from '../helpers/servers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../../bin/cwmp-agent');
const acsChild = path.resolve(here, '../helpers/acs-child.js');

class AcsProcess {
  private readonly lines: AsyncIterator<string>;
  constructor(readonly child: ChildProcess) {
    this.lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }
  async next(): Promise<any> {
    const r = await this.lines.next();
    if (r.done) throw new Error('ACS process ended');
    return JSON.parse(r.value);
  }
  async send(cmd: object): Promise<any> {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return this.next();
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const skip = netnsSkipReason();

test('UDP connection request through an nftables masquerade NAT reaches the agent', { skip, timeout: 60_000 }, async () => {
  const tag = String(process.pid % 100000);
  const topo = buildNatTopology(tag);
  const stateDir = tempDir();
  let agent: ChildProcess | undefined;
  let acs: AcsProcess | undefined;
  const stun = await startStunServer('10.253.2.2', 3478, topo.acs);
  try {
    acs = new AcsProcess(spawn('ip', ['netns', 'exec', topo.acs, process.execPath, acsChild, '10.253.2.2', '7557'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const { url } = await acs.next();
    const serial = simulatedIdentity('cwmp-agent').serialNumber;
    await acs.send({
      cmd: 'queue',
      serial,
      rpcs: [
        {
          method: 'SetParameterValues',
          parameterList: [
            { name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'acs' },
            { name: 'Device.ManagementServer.ConnectionRequestPassword', value: 'nat-secret' },
            { name: 'Device.ManagementServer.STUNServerAddress', value: '10.253.2.2' },
            { name: 'Device.ManagementServer.STUNServerPort', value: '3478' },
            { name: 'Device.ManagementServer.STUNMinimumKeepAlivePeriod', value: '5' },
            { name: 'Device.ManagementServer.STUNEnable', value: 'true' },
          ],
          parameterKey: 'nat',
        },
        { method: 'GetParameterValues', parameterNames: ['Device.ManagementServer.UDPConnectionRequestAddress', 'Device.ManagementServer.NATDetected'] },
      ],
    });
    agent = spawn(
      'ip',
      [
        'netns',
        'exec',
        topo.cpe,
        process.execPath,
        bin,
        'run',
        '--acs-url',
        url,
        '--state-dir',
        stateDir,
        '--cr-port',
        '7547',
        '--log-level',
        process.env['NAT_TEST_LOG'] ?? 'warn',
      ],
      {
        stdio: 'inherit',
        // No reboots here: the worker runs without its supervisor, so this pid is the agent's.
        env: { ...process.env, CWMP_AGENT_WORKER: '1' },
      },
    );

    // Bootstrap, then the VALUE CHANGE session that carries the NAT's mapping.
    const sessions = await until('the VALUE CHANGE session', async () => {
      const s = (await acs!.send({ cmd: 'sessions' })) as { events: string[] }[];
      return s.some((x) => x.events.includes('4 VALUE CHANGE')) ? s : undefined;
    });
    assert.deepEqual(sessions[0]!.events, ['0 BOOTSTRAP', '1 BOOT']);
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, 'data-model.json'), 'utf8')) as { values: Record<string, string> };
    const mapped = state.values['Device.ManagementServer.UDPConnectionRequestAddress']!;
    assert.match(mapped, /^10\.253\.2\.1:\d+$/, 'the mapped address is the NAT, not the CPE');
    assert.equal(state.values['Device.ManagementServer.NATDetected'], 'true');

    const before = sessions.length;
    // From another source port the NAT drops it (endpoint-dependent filtering)...
    await acs.send({ cmd: 'udp', target: mapped, username: 'acs', password: 'nat-secret', fromHost: '10.253.2.2', fromPort: 40000 });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(((await acs.send({ cmd: 'sessions' })) as unknown[]).length, before, 'no session from an unmapped source');
    // ...from the STUN server's own address and port it gets through.
    const stunSource = { cmd: 'udp', target: mapped, username: 'acs', password: 'nat-secret', fromHost: '10.253.2.2', fromPort: 3478 };
    await acs.send({ ...stunSource, id: 'nat-1' });
    const after = await until('the CONNECTION REQUEST session', async () => {
      const s = (await acs!.send({ cmd: 'sessions' })) as { events: string[] }[];
      return s.length > before ? s : undefined;
    });
    assert.deepEqual(after[before]!.events, ['6 CONNECTION REQUEST']);
    // Through the same path, a bad signature and a replay of nat-1 start nothing.
    await acs.send({ ...stunSource, id: 'nat-2', badSignature: true });
    await acs.send({ ...stunSource, id: 'nat-1' });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(((await acs.send({ cmd: 'sessions' })) as unknown[]).length, before + 1, 'bad signature and replay ignored');
    // And a fresh valid one still works, so the two above were refused on their merits. It also
    // carries diagnostics towards the ACS host: a route with a real hop (the NAT router).
    await acs.send({
      cmd: 'queue',
      serial,
      rpcs: [
        {
          method: 'SetParameterValues',
          parameterList: [
            { name: 'Device.IP.Diagnostics.TraceRoute.Host', value: '10.253.2.2' },
            { name: 'Device.IP.Diagnostics.TraceRoute.NumberOfTries', value: '1' },
            { name: 'Device.IP.Diagnostics.TraceRoute.Timeout', value: '1000' },
            { name: 'Device.IP.Diagnostics.TraceRoute.MaxHopCount', value: '5' },
            { name: 'Device.IP.Diagnostics.TraceRoute.DiagnosticsState', value: 'Requested' },
            { name: 'Device.IP.Diagnostics.IPPing.Host', value: '10.253.2.2' },
            { name: 'Device.IP.Diagnostics.IPPing.NumberOfRepetitions', value: '3' },
            { name: 'Device.IP.Diagnostics.IPPing.DiagnosticsState', value: 'Requested' },
          ],
          parameterKey: 'diag',
        },
      ],
    });
    await acs.send({ ...stunSource, id: 'nat-3' });
    await until('the second CONNECTION REQUEST session', async () => {
      const s = (await acs!.send({ cmd: 'sessions' })) as unknown[];
      return s.length > before + 1 ? s : undefined;
    });
    await until('8 DIAGNOSTICS COMPLETE', async () => {
      const s = (await acs!.send({ cmd: 'sessions' })) as { events: string[] }[];
      const values = (JSON.parse(fs.readFileSync(path.join(stateDir, 'data-model.json'), 'utf8')) as { values: Record<string, string> }).values;
      const done =
        values['Device.IP.Diagnostics.TraceRoute.DiagnosticsState'] === 'Complete' && values['Device.IP.Diagnostics.IPPing.DiagnosticsState'] === 'Complete';
      return done && s.some((x) => x.events.includes('8 DIAGNOSTICS COMPLETE')) ? s : undefined;
    });
    const diag = JSON.parse(fs.readFileSync(path.join(stateDir, 'data-model.json'), 'utf8')) as {
      values: Record<string, string>;
      instances: Record<string, { ids: number[] }>;
    };
    const hops = diag.instances['Device.IP.Diagnostics.TraceRoute.RouteHops.']!.ids;
    assert.deepEqual(
      hops.map((id) => diag.values[`Device.IP.Diagnostics.TraceRoute.RouteHops.${id}.HostAddress`]),
      ['10.253.1.1', '10.253.2.2'],
      'the NAT router is the first hop, the ACS host the second',
    );
    assert.equal(diag.values['Device.IP.Diagnostics.IPPing.SuccessCount'], '3');
  } finally {
    agent?.kill('SIGKILL');
    if (acs) await acs.send({ cmd: 'close' }).catch(() => undefined);
    await stun.stop();
    topo.destroy();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
