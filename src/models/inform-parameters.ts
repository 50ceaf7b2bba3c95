/**
 * Inform ParameterList entries beyond the schema's forced ones: ManagementServer.InformParameter.{i}
 * (TR-181, TR-098 alike: parameters the ACS wants, for all events or only those in its EventList),
 * and TR-098's forced ExternalIPAddress of the default WAN connection, which a schema cannot
 * mark because only the connection Layer3Forwarding.DefaultConnectionService names is forced.
 */
import type { CwmpEvent } from '../cwmp/events.js';
import type { DataModel } from '../datamodel/data-model.js';

export function informParameterNames(model: DataModel, informParameterTable: string, events: readonly CwmpEvent[]): string[] {
  const out: string[] = defaultConnectionAddress(model);
  if (!model.schema.tables.has(`${informParameterTable}{i}.`)) return out;
  for (const id of model.instanceIds(informParameterTable)) {
    const base = `${informParameterTable}${id}.`;
    if (model.read(`${base}Enable`) !== 'true') continue;
    const wanted = model
      .read(`${base}EventList`)
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (wanted.length > 0 && !events.some((e) => wanted.includes(e.code))) continue;
    try {
      for (const v of model.getParameterValues([model.read(`${base}ParameterName`)])) out.push(v.name);
    } catch {
      // A name that matches nothing (now) adds nothing; the ACS can read the entry back to see it.
    }
  }
  return out;
}

const DEFAULT_CONNECTION = 'InternetGatewayDevice.Layer3Forwarding.DefaultConnectionService';

/** TR-098: "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1" → its ExternalIPAddress, when that exists. */
function defaultConnectionAddress(model: DataModel): string[] {
  if (!model.definitionOf(DEFAULT_CONNECTION)) return [];
  const connection = model.read(DEFAULT_CONNECTION).replace(/\.$/, '');
  const address = `${connection}.ExternalIPAddress`;
  return /^InternetGatewayDevice\.WANDevice\.\d+\.WANConnectionDevice\.\d+\.WAN(IP|PPP)Connection\.\d+$/.test(connection) && model.definitionOf(address)
    ? [address]
    : [];
}
