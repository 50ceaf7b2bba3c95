/**
 * What the ACS hears when a request it made cannot be saved: the change is undone (see
 * storage/state-cell.ts) and the RPC answered 9002, since the ACS must not believe in a change a
 * power cut would lose.
 */
import { CwmpFault } from '../cwmp/faults.js';

export function savedForAcs<T>(change: () => T): T {
  try {
    return change();
  } catch (err) {
    if (err instanceof CwmpFault) throw err;
    throw new CwmpFault(9002, `the request could not be saved: ${err instanceof Error ? err.message : String(err)}`);
  }
}
