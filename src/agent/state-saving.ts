/**
 * How the agent changes its persisted state (events, transfers, schedules): a change from the
 * device's side is kept in memory when it cannot be saved (the store retries); a change an ACS
 * RPC asked for is undone and answered 9002, since the ACS must not believe in a change a power
 * cut would lose. Functions, not an object per agent: a fleet holds thousands of agents.
 */
import { CwmpFault } from '../cwmp/faults.js';
import type { AgentState, AgentStateStore } from '../storage/agent-state.js';

export function saveQuietly(store: AgentStateStore, state: AgentState): void {
  try {
    store.save(state);
  } catch {
    // The store logs and retries; the agent carries on with its state in memory.
  }
}

export function changeForAcs(store: AgentStateStore, state: AgentState, change: (s: AgentState) => void): void {
  // The lists an RPC changes are copied (their entries are shared: a Kicked waiter knows its request by identity).
  const before = {
    ...state,
    events: [...state.events],
    transfers: [...state.transfers],
    scheduledInforms: [...state.scheduledInforms],
    pendingCpeRequests: [...state.pendingCpeRequests],
  };
  change(state);
  try {
    store.save(state);
  } catch (err) {
    Object.assign(state, before);
    throw new CwmpFault(9002, `the request could not be saved: ${err instanceof Error ? err.message : String(err)}`);
  }
}
