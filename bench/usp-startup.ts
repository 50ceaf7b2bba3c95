/**
 * USP start-up and memory, in one run: the time from an agent's start to its Boot! reaching a
 * subscribed Controller over WebSocket (the bundled controller, in this process), beside the floor
 * of a bare WebSocket client connecting and sending one frame to the same server; and the heap a
 * device keeps, CWMP-only (no ACS contact), USP-only and dual-stack, 100 devices each.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { bin } from './acs-process.js';
import WebSocket from 'ws';
import { Agent } from '../src/agent/agent.js';
import { builtInUspSchema } from '../src/models/local-agent.js';
import { WebSocketMtp } from '../src/mtp/websocket-mtp.js';
import { SimulatedDevice } from '../src/providers/simulated-device.js';
import { systemClock } from '../src/runtime/clock.js';
import { MemoryAgentStateStore } from '../src/storage/agent-state.js';
import { MemoryModelStore } from '../src/storage/model-store.js';
import { UspTestController } from '../src/usp-controller/usp-test-controller.js';
import { overWebSocket, UspEndpoint } from '../src/usp-endpoint/usp-endpoint.js';

const log = pino({ level: 'silent' });

interface Device {
  agent: Agent;
  usp: UspEndpoint | undefined;
}

function device(
  n: number,
  stores: { state: MemoryAgentStateStore; model: MemoryModelStore },
  url: string | undefined,
  controllerId: string,
  cwmp: boolean,
): Device {
  const agent = new Agent({
    acsUrl: cwmp ? 'http://127.0.0.1:9/acs' : '',
    cwmpEnabled: cwmp,
    cwmpVersion: '1.4',
    device: new SimulatedDevice(`bench-${n}`, () => Date.now()),
    stateStore: stores.state,
    modelStore: stores.model,
    clock: systemClock,
    random: Math.random,
    logger: log,
    schema: url ? builtInUspSchema() : undefined,
  });
  const usp = url
    ? new UspEndpoint(agent.device, {
        endpointId: `proto::bench-${n}`,
        controllers: [{ endpointId: controllerId, topic: url }],
        transport: overWebSocket(new WebSocketMtp({ url, endpointId: `proto::bench-${n}`, logger: log })),
        logger: log,
        parameterKeyName: agent.ms.parameterKey,
      })
    : undefined;
  return { agent, usp };
}

async function heapPerDevice(make: (n: number) => Device, count: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const devices = Array.from({ length: count }, (_, n) => make(n));
  for (const d of devices) {
    d.usp?.start();
    d.agent.start();
  }
  await new Promise((r) => setTimeout(r, 1500));
  gc?.();
  const after = process.memoryUsage().heapUsed;
  for (const d of devices) {
    await d.usp?.stop();
    await d.agent.stop();
  }
  return (after - before) / count;
}

export async function runUspStartupBench(): Promise<void> {
  const controller = new UspTestController();
  const url = await controller.listen();
  // Floor: a bare client connecting and sending one frame.
  const floors: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const ws = new WebSocket(`${url}?eid=floor-${i}`, 'v1.usp');
    await new Promise<void>((resolve) => ws.once('open', () => ws.send(Buffer.from([0x0a, 0x00]), () => resolve())));
    floors.push(performance.now() - t0);
    ws.close();
  }
  // A device that subscribed to Boot! before: its restarts, measured from start() to the Boot! at the controller.
  const stores = { state: new MemoryAgentStateStore(), model: new MemoryModelStore() };
  const first = device(0, stores, url, controller.endpointId, false);
  first.usp!.start();
  first.agent.start();
  await controller.waitFor(() => controller.agent('proto::bench-0')?.connected === true, 10_000);
  await controller.request('proto::bench-0', 'ADD', {
    request: {
      add: {
        create_objs: [
          {
            obj_path: 'Device.LocalAgent.Subscription.',
            param_settings: [
              { param: 'Enable', value: 'true', required: true },
              { param: 'ID', value: 'boot', required: true },
              { param: 'NotifType', value: 'Event', required: true },
              { param: 'ReferenceList', value: 'Device.Boot!', required: true },
              { param: 'Persistent', value: 'true', required: true },
            ],
          },
        ],
      },
    },
  });
  await first.usp!.stop();
  await first.agent.stop();
  const boots: number[] = [];
  for (let i = 0; i < 10; i++) {
    const seen = controller.agent('proto::bench-0')!.notifications.length;
    const again = device(0, stores, url, controller.endpointId, false);
    const t0 = performance.now();
    again.usp!.start();
    again.agent.start();
    await controller.waitFor(() => controller.agent('proto::bench-0')!.notifications.length > seen, 10_000);
    boots.push(performance.now() - t0);
    await again.usp!.stop();
    await again.agent.stop();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log('USP start-up: from start() to Boot! at a subscribed Controller over WebSocket (in-process, median of 10)');
  console.log(`  floor: a bare WebSocket connect and one frame   ${median(floors).toFixed(1).padStart(7)} ms`);
  console.log(`  agent start to Boot! received                     ${median(boots).toFixed(1).padStart(7)} ms`);

  // As a user starts it: `bin/cwmp-agent run` spawned with a fresh state directory (supervisor,
  // worker, module loading included), to the agent connected at the Controller (its
  // WebSocketConnectRecord read).
  const cli: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-usp-start-'));
    // (Every run is the same simulated device: it counts once it is connected again.)
    const connectedBefore = new Set(
      controller
        .list()
        .filter((a) => a.connected)
        .map((a) => a.endpointId),
    );
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [bin, 'run', '--usp-ws-url', url, '--usp-controller-id', controller.endpointId, '--state-dir', dir, '--cr-port', '0'],
      {
        stdio: 'ignore',
      },
    );
    const arrived = () => controller.list().find((a) => a.connected && !connectedBefore.has(a.endpointId));
    await controller.waitFor(() => arrived() !== undefined, 20_000);
    cli.push(performance.now() - t0);
    const id = arrived()!.endpointId;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await controller.waitFor(() => controller.agent(id)?.connected !== true, 20_000);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  from the command line: spawn of bin/cwmp-agent run --usp-ws-url (fresh state) to connected, median of 5 ${median(cli).toFixed(0)} ms`);

  const fresh = (): { state: MemoryAgentStateStore; model: MemoryModelStore } => ({ state: new MemoryAgentStateStore(), model: new MemoryModelStore() });
  const cwmpOnly = await heapPerDevice((n) => device(n, fresh(), undefined, controller.endpointId, true), 100);
  const uspOnly = await heapPerDevice((n) => device(n + 1000, fresh(), url, controller.endpointId, false), 100);
  const dual = await heapPerDevice((n) => device(n + 2000, fresh(), url, controller.endpointId, true), 100);
  console.log('Heap kept per device, 100 devices each (after a GC; CWMP retrying an unreachable ACS, USP connected)');
  console.log(`  CWMP only    ${(cwmpOnly / 1024).toFixed(1).padStart(7)} KiB`);
  console.log(`  USP only     ${(uspOnly / 1024).toFixed(1).padStart(7)} KiB`);
  console.log(`  both         ${(dual / 1024).toFixed(1).padStart(7)} KiB`);
  await controller.close();
}
