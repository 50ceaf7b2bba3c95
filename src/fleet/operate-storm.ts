/**
 * The operate storm of a USP fleet: the bundled USP controller runs Device.Reboot() on the
 * connected devices at `rate` a second, round robin; each reboots through its runtime and tells
 * its Boot! (its factory Boot! subscription) with the command key. Latency is Operate sent to
 * Boot! received; an Operate that fails or gets an Error counts as failed.
 */
import type { Clock } from '../runtime/clock.js';
import type { UspTestController } from '../usp-controller/usp-test-controller.js';
import type { Fleet } from './fleet.js';
import type { LatencyHistogram } from './fleet-stats.js';

/** What the storm tells its scenario: an Operate went out, or one failed. */
export interface StormTally {
  sent(): void;
  failed(): void;
}

export function startOperateStorm(
  fleet: Fleet,
  controller: UspTestController,
  clock: Clock,
  paced: (rate: number, fn: () => void) => void,
  rate: number,
  latency: LatencyHistogram,
  tally: StormTally,
): void {
  const sentAt = new Map<string, number>();
  controller.onNotification((_endpointId, msg) => {
    const event = (msg.body.request?.['notify'] as { event?: { event_name?: string; params?: Record<string, string> } } | undefined)?.event;
    if (event?.event_name !== 'Boot!') return;
    const key = event.params?.['CommandKey'] ?? '';
    const at = sentAt.get(key);
    if (at === undefined) return;
    sentAt.delete(key);
    latency.record(clock.now() - at);
  });
  let next = 0;
  let n = 0;
  paced(rate, () => {
    const members = fleet.members;
    for (let k = 0; k < members.length; k++) {
      const m = members[(next + k) % members.length]!;
      if (!m.usp?.connected) continue;
      next = (next + k + 1) % members.length;
      const key = `operate-storm-${++n}`;
      sentAt.set(key, clock.now());
      tally.sent();
      controller.request(m.usp.endpointId, 'OPERATE', { request: { operate: { command: 'Device.Reboot()', command_key: key, send_resp: true } } }).then(
        (answer) => {
          if (answer.header.msg_type !== 'OPERATE_RESP') {
            tally.failed();
            sentAt.delete(key);
          }
        },
        () => {
          tally.failed();
          sentAt.delete(key);
        },
      );
      return;
    }
  });
}
