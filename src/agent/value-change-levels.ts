/**
 * Which changed parameters go where, by their Notification attribute (TR-069 3.2.1 and Annex M):
 * 1 passive and 2 active in the Inform; 3 and 5 lightweight only (passive, active); 4 and 6
 * lightweight and passive in the Inform.
 */
import type { DataModel } from '../datamodel/data-model.js';
import { lightweightKind } from '../notifications/lightweight-notifier.js';

export interface RoutedChanges {
  lightweightPassive: string[];
  lightweightActive: string[];
  /** Reported in the next Inform with 4 VALUE CHANGE. */
  inInform: string[];
  /** Asking for a session of their own. */
  active: string[];
}

export function routeChanges(model: DataModel, names: readonly string[]): RoutedChanges {
  const out: RoutedChanges = { lightweightPassive: [], lightweightActive: [], inInform: [], active: [] };
  for (const n of names) {
    const def = model.definitionOf(n);
    const level = def ? model.notificationOf(def, n) : 0;
    const lightweight = lightweightKind(level);
    if (lightweight === 'passive') out.lightweightPassive.push(n);
    else if (lightweight === 'active') out.lightweightActive.push(n);
    if (level === 1 || level === 2 || level === 4 || level === 6) out.inInform.push(n);
    if (level === 2) out.active.push(n);
  }
  return out;
}
