/** Round robin over a fleet's devices whose USP agent is connected (what a controller-side storm or a steady load acts on). */
import type { Fleet, FleetMember } from './fleet.js';

/** Each call gives the next device after the last one given whose USP agent is connected, or none when none is. */
export function connectedUspTurns(fleet: Fleet): () => (FleetMember & { usp: NonNullable<FleetMember['usp']> }) | undefined {
  let next = 0;
  return () => {
    const members = fleet.members;
    for (let k = 0; k < members.length; k++) {
      const m = members[(next + k) % members.length]!;
      if (!m.usp?.connected) continue;
      next = (next + k + 1) % members.length;
      return m as FleetMember & { usp: NonNullable<FleetMember['usp']> };
    }
    return undefined;
  };
}
