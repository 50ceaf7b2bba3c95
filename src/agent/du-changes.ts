/** The agent's side of software-module changes: the DU runner's host over the agent's persisted state, and the ACS's reporting policy. */
import type { Logger } from 'pino';
import type { DuChangePolicy } from '../cwmp/du-change.js';
import type { DataModel } from '../datamodel/data-model.js';
import { DuChangePolicyPaths } from '../models/software-modules.js';
import type { SoftwareModuleHooks } from '../providers/software/software-modules.js';
import type { Clock } from '../runtime/clock.js';
import type { AgentState } from '../storage/agent-state.js';
import { DuRunner, type DuRunnerOptions } from '../transfers/du-runner.js';

export interface DuChangeDeps {
  clock: Clock;
  log: Logger;
  model: DataModel;
  software: SoftwareModuleHooks | undefined;
  sessionActive(): boolean;
  state(): AgentState;
  /** Changes the persisted state and saves it. */
  mutate(change: (s: AgentState) => void): void;
  requestSession(): void;
}

/** ManagementServer.DUStateChangeComplPolicy as the model holds it; off where the model has none (a TR-098 device). */
export function duChangePolicy(model: DataModel): DuChangePolicy {
  const read = (p: string): string => (model.definitionOf(p) ? model.read(p) : '');
  const list = (p: string): string[] =>
    read(p)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const resultType = read(DuChangePolicyPaths.resultTypeFilter);
  return {
    enable: read(DuChangePolicyPaths.enable) === 'true',
    operationTypes: list(DuChangePolicyPaths.operationTypeFilter),
    resultType: resultType === 'Success' || resultType === 'Failure' ? resultType : 'Both',
    faultCodes: list(DuChangePolicyPaths.faultCodeFilter),
  };
}

export function duRunnerFor(d: DuChangeDeps, o: DuRunnerOptions): DuRunner {
  return new DuRunner(
    {
      clock: d.clock,
      log: d.log,
      software: d.software,
      get sessionActive() {
        return d.sessionActive();
      },
      duChanges: () => d.state().duChanges,
      updateDuOperation: (changeId, opId, patch) =>
        d.mutate((s) => {
          const op = s.duChanges.find((c) => c.id === changeId)?.operations.find((x) => x.id === opId);
          if (op) Object.assign(op, patch);
        }),
      finishDuChange: (changeId, report) => {
        d.mutate((s) => {
          s.duChanges = s.duChanges.filter((c) => c.id !== changeId);
          if (report) s.pendingCpeRequests.push(report);
        });
        if (report) d.requestSession();
      },
      duChangePolicy: () => duChangePolicy(d.model),
    },
    o,
  );
}
