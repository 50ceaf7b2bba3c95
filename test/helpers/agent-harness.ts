/** Starts a real agent in-process against a real TestAcs on loopback, with an injectable clock. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Agent, type AgentOptions } from '../../src/agent/agent.js';
import { ManualClock, systemClock, type Clock } from '../../src/runtime/clock.js';
import { TestAcs, type TestAcsOptions } from '../../src/acs/test-acs.js';
import { parameterValues, type CpeMessageSummary } from '../../src/acs/acs-messages.js';
import type { AcsRequest } from '../../src/cwmp/messages.js';
import { FileModelStore } from '../../src/storage/model-store.js';
import { SimulatedDevice, type SimulatedDeviceOptions } from '../../src/providers/simulated-device.js';
import { FileAgentStateStore } from '../../src/storage/agent-state.js';

export interface Harness {
  acs: TestAcs;
  agent: Agent;
  /** The simulated device (what the agent manages unless `agent.device` gave another). */
  device: SimulatedDevice;
  clock: Clock;
  stateDir: string;
  serial: string;
  /** A new agent on the same state directory, as after a restart of the process; `prepare` runs before it starts. */
  restart(prepare?: (agent: Agent) => void): Promise<Agent>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  acs?: TestAcsOptions;
  manualClock?: boolean;
  agent?: Partial<AgentOptions>;
  /** ACS URL override (for example a port nobody listens on). */
  acsUrl?: string;
  seed?: string;
  device?: SimulatedDeviceOptions;
}

export function tempDir(prefix = 'cwmp-agent-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const acs = new TestAcs(opts.acs);
  const url = await acs.listen();
  const clock = opts.manualClock ? new ManualClock(Date.now()) : systemClock;
  const stateDir = tempDir();
  const device = new SimulatedDevice(opts.seed ?? 'harness', () => clock.now(), {}, { filesDir: path.join(stateDir, 'device'), clock, ...opts.device });
  const make = (): Agent =>
    new Agent({
      acsUrl: opts.acsUrl ?? url,
      cwmpVersion: '1.4',
      device,
      stateStore: new FileAgentStateStore(stateDir),
      modelStore: new FileModelStore(stateDir),
      clock,
      random: () => 0.5,
      logger: pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
      requestTimeoutMs: 5_000,
      ...opts.agent,
    });
  let agent = make();
  const h: Harness = {
    acs,
    agent,
    device,
    clock,
    stateDir,
    // The agent's own device: the simulated one unless the options give another (a Linux host).
    serial: (opts.agent?.device ?? device).identity.serialNumber,
    async restart(prepare) {
      await h.agent.stop();
      agent = make();
      h.agent = agent;
      prepare?.(agent);
      agent.start();
      return agent;
    },
    async close() {
      await h.agent.stop();
      await acs.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Runs the agent and waits until the ACS has seen `count` completed sessions of it. */
export async function sessionsCompleted(h: Harness, count: number, timeoutMs = 10_000): Promise<void> {
  await h.acs.waitFor(() => h.acs.completedSessions(h.serial).length >= count, timeoutMs);
}

/** Runs a session in which the ACS sends `rpcs`, as after a connection request; resolves with the CPE's last answer. */
export async function sendRpcs(h: Harness, ...rpcs: AcsRequest[]): Promise<CpeMessageSummary | undefined> {
  const before = h.acs.completedSessions(h.serial).length;
  h.acs.queue(h.serial, ...rpcs);
  h.agent.trigger('6 CONNECTION REQUEST');
  await sessionsCompleted(h, before + 1);
  return h.acs.responses(h.serial).at(-1);
}

/** GetParameterValues in a session of its own: the values by name (any other answer fails the test). */
export async function getValues(h: Harness, ...names: string[]): Promise<Record<string, string>> {
  const r = await sendRpcs(h, { method: 'GetParameterValues', parameterNames: names });
  assert.equal(r?.method, 'GetParameterValuesResponse', `answer to GetParameterValues ${names.join(',')}: ${r?.method}`);
  return Object.fromEntries(Object.entries(parameterValues(r!)).map(([k, v]) => [k, v.value]));
}

/** What an ACS sends to be able to call the device later: its connection-request username and password. */
export function connectionRequestCredentials(password: string, parameterKey: string, username = 'acs'): AcsRequest {
  return {
    method: 'SetParameterValues',
    parameterList: [
      { name: 'Device.ManagementServer.ConnectionRequestUsername', value: username, type: 'string' },
      { name: 'Device.ManagementServer.ConnectionRequestPassword', value: password, type: 'string' },
    ],
    parameterKey,
  };
}
