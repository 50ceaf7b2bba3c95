/**
 * Runs TR-181 diagnostics for an agent with their state machine: the ACS sets DiagnosticsState
 * to Requested (with the inputs, in one SetParameterValues); the test starts after the session;
 * results land in the object with Complete or an Error_* state; a session with 8 DIAGNOSTICS
 * COMPLETE follows. Changing an input while a test is requested or running cancels it (None).
 */
import type { Agent } from './agent.js';
import { EventCode } from './cwmp/events.js';
import { runPing, type PingInput } from './diagnostics/ip-ping.js';
import { IpPing } from './models/diagnostics.js';

export class DiagnosticsRunner {
  private pending = false;
  private running: AbortController | undefined;

  constructor(private readonly agent: Agent) {
    agent.model.onChange((names, origin) => {
      if (origin !== 'acs') return;
      const state = names.includes(IpPing.state) ? agent.model.read(IpPing.state) : undefined;
      if (state === 'Canceled') {
        this.pending = false;
        this.cancelRunning();
        agent.model.writeFromDevice({ [IpPing.state]: 'None' });
      } else if (state === 'Requested') {
        this.cancelRunning();
        this.pending = true;
      } else if (names.some((n) => (IpPing.inputs as readonly string[]).includes(n)) && (this.pending || this.running)) {
        this.pending = false;
        this.cancelRunning();
        agent.model.writeFromDevice({ [IpPing.state]: 'None' });
      }
    });
    agent.onSessionEnd(() => {
      if (this.pending) {
        this.pending = false;
        void this.runIpPing();
      }
    });
  }

  private cancelRunning(): void {
    this.running?.abort();
    this.running = undefined;
  }

  private async runIpPing(): Promise<void> {
    const m = this.agent.model;
    const input: PingInput = {
      host: m.read(IpPing.host),
      protocolVersion: m.read(IpPing.protocolVersion) as PingInput['protocolVersion'],
      repetitions: Number(m.read(IpPing.repetitions)),
      timeoutMs: Number(m.read(IpPing.timeout)),
      dataBlockSize: Number(m.read(IpPing.dataBlockSize)),
      dscp: Number(m.read(IpPing.dscp)),
    };
    const controller = new AbortController();
    this.running = controller;
    this.agent.log.info({ host: input.host, repetitions: input.repetitions }, 'IPPing diagnostics start');
    const r = await runPing(input, controller.signal);
    if (controller.signal.aborted || this.running !== controller) return;
    this.running = undefined;
    const P = IpPing.object;
    m.writeFromDevice({
      [`${P}IPAddressUsed`]: r.ipAddressUsed,
      [`${P}SuccessCount`]: String(r.successCount),
      [`${P}FailureCount`]: String(r.failureCount),
      [`${P}MinimumResponseTime`]: String(Math.round(r.minUs / 1000)),
      [`${P}AverageResponseTime`]: String(Math.round(r.avgUs / 1000)),
      [`${P}MaximumResponseTime`]: String(Math.round(r.maxUs / 1000)),
      [`${P}MinimumResponseTimeDetailed`]: String(r.minUs),
      [`${P}AverageResponseTimeDetailed`]: String(r.avgUs),
      [`${P}MaximumResponseTimeDetailed`]: String(r.maxUs),
      [IpPing.state]: r.state,
    });
    this.agent.log.info({ state: r.state, success: r.successCount, failure: r.failureCount, avgUs: r.avgUs }, 'IPPing diagnostics done');
    this.agent.trigger(EventCode.DiagnosticsComplete);
  }
}
