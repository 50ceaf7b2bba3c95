/**
 * The CWMP-to-USP migration of a fleet: devices start CWMP-only; the bundled ACS writes each
 * one's Device.MQTT.Client, Device.LocalAgent.MTP and a Controller over CWMP (at `rate` devices a
 * second); each device then connects to the broker as its model says and sends the Controller an
 * OnBoardRequest. The result says how many migrated, how long each took (provisioning queued to
 * OnBoardRequest sent), and which did not and why.
 */
import { textAt } from '../acs/acs-messages.js';
import type { TestAcs } from '../acs/test-acs.js';
import { EventCode } from '../cwmp/events.js';
import type { Clock } from '../runtime/clock.js';
import type { Fleet, FleetMember } from './fleet.js';
import { LatencyHistogram } from './fleet-stats.js';

export interface MigrationTarget {
  /** The broker every device is told to use (mqtt:// or mqtts://). */
  brokerUrl: string;
  controller: { endpointId: string; topic: string };
}

export interface MigrationResult {
  devices: number;
  provisioned: number;
  migrated: number;
  /** Provisioning queued to OnBoardRequest sent, ms. */
  latencyMs: { p50: number; p99: number; max: number };
  /** Devices that did not migrate, by reason. */
  notMigrated: Record<string, number>;
  /** The first few that did not, with why. */
  examples: { serial: string; reason: string }[];
}

/** The RPCs an ACS sends a fresh device to move it to USP (instances 1: a device with none yet). */
export function migrationRpcs(target: MigrationTarget) {
  const url = new URL(target.brokerUrl);
  const tls = url.protocol === 'mqtts:';
  const str = (name: string, value: string, type = 'string') => ({ name, value, type });
  const add = (objectName: string) => ({ method: 'AddObject' as const, objectName, parameterKey: 'usp-migration' });
  return [
    add('Device.MQTT.Client.'),
    add('Device.LocalAgent.MTP.'),
    add('Device.LocalAgent.Controller.'),
    add('Device.LocalAgent.Controller.1.MTP.'),
    {
      method: 'SetParameterValues' as const,
      parameterKey: 'usp-migration',
      parameterList: [
        str('Device.MQTT.Client.1.BrokerAddress', url.hostname.replace(/^\[|\]$/g, '')),
        str('Device.MQTT.Client.1.BrokerPort', url.port || (tls ? '8883' : '1883'), 'unsignedInt'),
        str('Device.MQTT.Client.1.TransportProtocol', tls ? 'TLS' : 'TCP/IP'),
        str('Device.MQTT.Client.1.Enable', 'true', 'boolean'),
        str('Device.LocalAgent.MTP.1.Protocol', 'MQTT'),
        str('Device.LocalAgent.MTP.1.MQTT.Reference', 'Device.MQTT.Client.1'),
        str('Device.LocalAgent.MTP.1.Enable', 'true', 'boolean'),
        str('Device.LocalAgent.Controller.1.EndpointID', target.controller.endpointId),
        str('Device.LocalAgent.Controller.1.Enable', 'true', 'boolean'),
        str('Device.LocalAgent.Controller.1.MTP.1.Protocol', 'MQTT'),
        str('Device.LocalAgent.Controller.1.MTP.1.MQTT.Reference', 'Device.MQTT.Client.1'),
        str('Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic', target.controller.topic),
        str('Device.LocalAgent.Controller.1.MTP.1.Enable', 'true', 'boolean'),
      ],
    },
  ];
}

/** Runs the migration; `paced` calls its function `rate` times a second until the scenario ends. */
export function startMigration(
  fleet: Fleet,
  acs: TestAcs,
  target: MigrationTarget,
  clock: Clock,
  paced: (rate: number, fn: () => void) => void,
  rate: number,
  allDone: () => void,
): { result(): MigrationResult } {
  const provisionedAt = new Map<number, number>();
  const migrated = new Set<number>();
  const latency = new LatencyHistogram();
  const rpcs = migrationRpcs(target);
  fleet.onUspAnnounced((m) => {
    const at = provisionedAt.get(m.index);
    if (at === undefined || migrated.has(m.index)) return;
    migrated.add(m.index);
    latency.record(clock.now() - at);
    if (migrated.size >= fleet.members.length) allDone();
  });
  let next = 0;
  paced(rate, () => {
    const m: FleetMember | undefined = fleet.members[next];
    if (!m) return;
    next++;
    provisionedAt.set(m.index, clock.now());
    acs.queue(m.serial, ...rpcs);
    m.agent?.trigger(EventCode.ConnectionRequest);
  });
  return {
    result() {
      const notMigrated: Record<string, number> = {};
      const examples: MigrationResult['examples'] = [];
      for (const m of fleet.members) {
        if (migrated.has(m.index)) continue;
        const reason = whyNot(m, provisionedAt.has(m.index), acs);
        notMigrated[reason] = (notMigrated[reason] ?? 0) + 1;
        if (examples.length < 20) examples.push({ serial: m.serial, reason });
      }
      return {
        devices: fleet.members.length,
        provisioned: provisionedAt.size,
        migrated: migrated.size,
        latencyMs: { p50: latency.quantile(0.5), p99: latency.quantile(0.99), max: latency.max },
        notMigrated,
        examples,
      };
    },
  };
}

/** Why a device has not migrated, from what the ACS and the device itself say. */
function whyNot(m: FleetMember, provisioned: boolean, acs: TestAcs): string {
  if (!provisioned) return 'not provisioned before the end';
  const fault = acs.responses(m.serial).find((r) => r.method === 'Fault');
  if (fault)
    return `the ACS's RPC failed: ${textAt(fault.body, 'detail', 'Fault', 'FaultCode') ?? ''} ${textAt(fault.body, 'detail', 'Fault', 'FaultString') ?? ''}`.trim();
  const agent = m.agent;
  if (!agent) return 'offline';
  const status = agent.model.read('Device.MQTT.Client.1.Status');
  if (status === '' || status === 'Disabled') return 'MTP not configured yet (the ACS session has not run)';
  if (status === 'Connecting') return 'not connected to the broker';
  if (status !== 'Connected') return `MQTT.Client Status ${status}`;
  return 'connected, no OnBoardRequest sent';
}
