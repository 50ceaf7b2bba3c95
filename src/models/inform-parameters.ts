/**
 * ManagementServer.InformParameter.{i} (TR-181): parameters the ACS wants in the Inform's
 * ParameterList besides the forced ones, each for all events or only those in its EventList.
 */
import type { CwmpEvent } from '../cwmp/events.js';
import type { DataModel } from '../datamodel/data-model.js';
import { ManagementServer } from './device-core.js';

export function informParameterNames(model: DataModel, events: readonly CwmpEvent[]): string[] {
  const table = ManagementServer.informParameterTable;
  const out: string[] = [];
  for (const id of model.instanceIds(table)) {
    const base = `${table}${id}.`;
    if (model.read(`${base}Enable`) !== 'true') continue;
    const wanted = model.read(`${base}EventList`).split(',').map((e) => e.trim()).filter((e) => e !== '');
    if (wanted.length > 0 && !events.some((e) => wanted.includes(e.code))) continue;
    try {
      for (const v of model.getParameterValues([model.read(`${base}ParameterName`)])) out.push(v.name);
    } catch {
      // A name that matches nothing (now) adds nothing; the ACS can read the entry back to see it.
    }
  }
  return out;
}
