/**
 * Inform sessions per second that one agent completes against the test ACS on loopback, and
 * agent CPU time per session. The ACS runs in its own process so that the CPU figures are the
 * agent's alone. Baseline in the same run: bare HTTP POST round trips of an Inform-sized body on
 * one fresh kept-alive connection each (what a session costs at the least), from the same process.
 */
import { startAcsProcess } from './acs-process.js';
import http from 'node:http';
import path from 'node:path';
import { pino } from 'pino';
import { Agent } from '../src/agent/agent.js';
import { systemClock } from '../src/runtime/clock.js';
import { MemoryModelStore, FileModelStore } from '../src/storage/model-store.js';
import { SimulatedDevice } from '../src/providers/simulated-device.js';
import { FileAgentStateStore, MemoryAgentStateStore } from '../src/storage/agent-state.js';
import fs from 'node:fs';
import os from 'node:os';

const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 2000);

async function baseline(url: string, n: number): Promise<{ perSecond: number; cpuMsPer: number }> {
  const body = `<x>${'a'.repeat(2500)}</x>`;
  const u = new URL(url);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    // Two exchanges on one kept-alive connection, as a minimal session has (Inform, empty POST).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (const payload of [body, '']) {
      await new Promise<void>((resolve, reject) => {
        const req = http.request({ hostname: u.hostname, port: u.port, path: '/baseline', method: 'POST', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(payload);
      });
    }
    agent.destroy();
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: n / secs, cpuMsPer: (cpu.user + cpu.system) / 1000 / n };
}

async function agentSessions(url: string, n: number, persistent: boolean): Promise<{ perSecond: number; cpuMsPer: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const agent = new Agent({
    acsUrl: url,
    cwmpVersion: '1.4',
    device: new SimulatedDevice(`bench-${persistent}`, () => Date.now()),
    stateStore: persistent ? new FileAgentStateStore(dir) : new MemoryAgentStateStore(),
    modelStore: persistent ? new FileModelStore(dir) : new MemoryModelStore(),
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: 'silent' }),
  });
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  let t0 = 0n;
  let cpu0 = process.cpuUsage();
  agent.onSessionEnd((o) => {
    if (!o.ok) throw new Error(`session failed: ${o.reason}`);
    if (done === 0) {
      // The first (bootstrap) session is warm-up.
      t0 = process.hrtime.bigint();
      cpu0 = process.cpuUsage();
    }
    if (++done > n) return resolveAll();
    setImmediate(() => agent.trigger('6 CONNECTION REQUEST'));
  });
  agent.start();
  await all;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await agent.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  return { perSecond: n / secs, cpuMsPer: (cpu.user + cpu.system) / 1000 / n };
}

export async function runSessionThroughput(): Promise<void> {
  const acs = await startAcsProcess();
  try {
    const fmt = (r: { perSecond: number; cpuMsPer: number }): string => `${r.perSecond.toFixed(0).padStart(6)} /s   ${r.cpuMsPer.toFixed(3)} ms CPU each`;
    console.log(`session throughput, one agent, ${SESSIONS} sessions each (Inform + empty POST, fresh connection per session)`);
    console.log(`  baseline: two bare HTTP POSTs           ${fmt(await baseline(acs.url, SESSIONS))}`);
    console.log(`  agent sessions, in-memory state          ${fmt(await agentSessions(acs.url, SESSIONS, false))}`);
    console.log(`  agent sessions, crash-safe file state    ${fmt(await agentSessions(acs.url, Math.min(SESSIONS, 500), true))}`);
  } finally {
    acs.stop();
  }
}
