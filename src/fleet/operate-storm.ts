/**
 * The operate storm of a USP fleet: the bundled USP controller runs a command on the connected
 * devices at `rate` a second, round robin, as a controller rolling out a change does:
 * - reboot: Device.Reboot(); each device reboots through its runtime and tells Boot! (its
 *   factory subscription) with the command key;
 * - download: Device.DeviceInfo.FirmwareImage.2.Download() of an image the controller serves; the
 *   device installs it in its other bank, reboots into it and tells OperationComplete;
 * - install-du: Device.SoftwareModules.InstallDU() of a package the controller serves, and on the
 *   device's next turn Uninstall() of that unit (its DUStateChange! names it), so that every turn
 *   changes something; OperationComplete tells each.
 * Before its first download or install-du, a device gets the controller's persistent subscriptions
 * (OperationComplete, DUStateChange!). Latency is Operate sent to its Boot! or OperationComplete;
 * an Operate that gets an Error, no answer, or a failed OperationComplete counts as failed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFirmwareImage } from '../providers/firmware-image.js';
import { makeDuPackage } from '../providers/software/du-package.js';
import type { Clock } from '../runtime/clock.js';
import type { UspMsg } from '../usp/usp-codec.js';
import type { UspTestController } from '../usp-controller/usp-test-controller.js';
import type { Fleet } from './fleet.js';
import type { LatencyHistogram } from './fleet-stats.js';
import type { StormOperation } from './scenario-names.js';
import { connectedUspTurns } from './usp-turns.js';

/** What the storm tells its scenario: an Operate went out, or one failed. */
export interface StormTally {
  sent(): void;
  failed(): void;
}

export interface OperateStormOptions {
  rate: number;
  operation: StormOperation;
  /** download: the image's version. */
  firmwareVersion: string;
}

type NotifyBody = {
  event?: { event_name?: string; params?: Record<string, string> };
  oper_complete?: { command_key?: string; cmd_failure?: unknown };
};

/** The unit install-du installs: one small execution unit, served by the controller. */
const DU_UUID = '5d1c0a7e-3b2f-4e8a-9c6d-0f1e2d3c4b5a';

export async function startOperateStorm(
  fleet: Fleet,
  controller: UspTestController,
  clock: Clock,
  paced: (rate: number, fn: () => void) => void,
  o: OperateStormOptions,
  latency: LatencyHistogram,
  tally: StormTally,
): Promise<void> {
  const url = await servedFile(o, controller, fleet.members[0]?.device.identity.productClass);
  const sentAt = new Map<string, number>();
  const finished = (key: string, ok: boolean): void => {
    const at = sentAt.get(key);
    if (at === undefined) return;
    sentAt.delete(key);
    if (ok) latency.record(clock.now() - at);
    else tally.failed();
  };
  const subscribed = new Set<string>();
  /** install-du: the unit each device has now ("Device.SoftwareModules.DeploymentUnit.3."), by EndpointID. */
  const units = new Map<string, string>();
  controller.onNotification((endpointId, msg) => {
    const notify = msg.body.request?.['notify'] as NotifyBody | undefined;
    const event = notify?.event;
    if (o.operation === 'reboot' && event?.event_name === 'Boot!') finished(event.params?.['CommandKey'] ?? '', true);
    if (event?.event_name === 'DUStateChange!' && event.params?.['Fault.FaultCode'] === '0') {
      if (event.params['CurrentState'] === 'Installed') units.set(endpointId, `${event.params['DeploymentUnitRef']}.`);
      else units.delete(endpointId);
    }
    const done = notify?.oper_complete;
    if (done && o.operation !== 'reboot') finished(done.command_key ?? '', done.cmd_failure === undefined);
  });
  const operate = (endpointId: string): Record<string, unknown> => {
    if (o.operation === 'reboot') return { command: 'Device.Reboot()' };
    if (o.operation === 'download') return { command: 'Device.DeviceInfo.FirmwareImage.2.Download()', input_args: { URL: url, AutoActivate: 'true' } };
    const unit = units.get(endpointId);
    return unit ? { command: `${unit}Uninstall()` } : { command: 'Device.SoftwareModules.InstallDU()', input_args: { URL: url, UUID: DU_UUID } };
  };
  const send = async (endpointId: string, key: string): Promise<void> => {
    if (o.operation !== 'reboot' && !subscribed.has(endpointId)) {
      const added = await controller.request(endpointId, 'ADD', subscriptions());
      if (added.header.msg_type !== 'ADD_RESP') throw new Error('the subscriptions were refused');
      subscribed.add(endpointId);
    }
    const answer: UspMsg = await controller.request(endpointId, 'OPERATE', {
      request: { operate: { ...operate(endpointId), command_key: key, send_resp: true } },
    });
    if (answer.header.msg_type !== 'OPERATE_RESP') throw new Error('an Error');
    const result = (answer.body.response?.['operate_resp'] as { operation_results?: { cmd_failure?: unknown }[] } | undefined)?.operation_results?.[0];
    if (result?.cmd_failure) throw new Error('the command failed');
  };
  const nextDevice = connectedUspTurns(fleet);
  let n = 0;
  paced(o.rate, () => {
    const m = nextDevice();
    if (!m) return;
    const key = `operate-storm-${++n}`;
    sentAt.set(key, clock.now());
    tally.sent();
    send(m.usp.endpointId, key).catch(() => finished(key, false));
  });
}

/** The controller's subscriptions a device gets before its first download or install-du. */
function subscriptions(): UspMsg['body'] {
  const subscription = (id: string, type: string, reference: string) => ({
    obj_path: 'Device.LocalAgent.Subscription.',
    param_settings: [
      { param: 'Enable', value: 'true' },
      { param: 'ID', value: id },
      { param: 'NotifType', value: type },
      { param: 'ReferenceList', value: reference },
      { param: 'Persistent', value: 'true' },
    ],
  });
  return {
    request: {
      add: {
        // A device that has them already (a fleet restarted from its snapshot) refuses the duplicate IDs alone.
        allow_partial: true,
        create_objs: [
          subscription('operate-storm-ops', 'OperationComplete', 'Device.'),
          subscription('operate-storm-du', 'Event', 'Device.SoftwareModules.DUStateChange!'),
        ],
      },
    },
  };
}

/** The file the operation fetches, served by the controller (none for reboot). */
async function servedFile(o: OperateStormOptions, controller: UspTestController, productClass: string | undefined): Promise<string> {
  if (o.operation === 'reboot') return '';
  if (o.operation === 'download') {
    const image = buildFirmwareImage({
      version: o.firmwareVersion,
      payload: Buffer.from(`simulated firmware ${o.firmwareVersion}\n`.repeat(64)),
      productClass,
    });
    return controller.serveFile(`fw-${o.firmwareVersion}.bin`, image);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwmp-agent-storm-du-'));
  try {
    const manifest = {
      name: 'storm-unit',
      vendor: 'cwmp-agent',
      version: '1.0',
      executionUnits: [{ name: 'storm-svc', command: ['storm-svc'], autoStart: true }],
    };
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    await makeDuPackage(dir, path.join(dir, 'unit.tgz'));
    return controller.serveFile('storm-unit.tgz', fs.readFileSync(path.join(dir, 'unit.tgz')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
