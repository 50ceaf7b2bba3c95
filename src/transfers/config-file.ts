/**
 * The agent's own vendor configuration file: every writable parameter that differs from its
 * factory value, as JSON. Upload
 * of "1 Vendor Configuration File" sends it; Download of one restores it (backup and restore,
 * VendorConfigFile.1 with UseForBackupRestore). Hidden values (passwords) are left out, so a
 * backup on the ACS's file server holds no secrets; a restore leaves them as they are.
 */
import { CwmpFault } from '../cwmp/faults.js';
import type { DataModel } from '../datamodel/data-model.js';

export const CONFIG_FORMAT = 'cwmp-agent-config/1';

interface ConfigDocument {
  format: string;
  exportedAt: string;
  parameters: Record<string, string>;
}

export function exportConfig(model: DataModel, now: Date): Buffer {
  const names = model
    .getParameterNames(model.schema.root, false)
    .filter((p) => p.writable && !p.name.endsWith('.'))
    .map((p) => p.name)
    // Aliases are written once, when an instance is made; they are not settings to restore.
    // Commands such as DiagnosticsState (writable only to "Requested") are actions, not settings.
    .filter((n) => {
      const def = model.definitionOf(n);
      return def !== undefined && !def.hidden && !def.writableValues && !n.endsWith('.Alias');
    });
  const parameters: Record<string, string> = {};
  // Factory values are left out: they need no restoring, and some (TR-135's SampleInterval 0)
  // are not values the ACS could set.
  for (const v of model.getParameterValues(names)) if (v.value !== model.definitionOf(v.name)?.default) parameters[v.name] = v.value;
  const doc: ConfigDocument = { format: CONFIG_FORMAT, exportedAt: now.toISOString(), parameters };
  return Buffer.from(JSON.stringify(doc, null, 1));
}

/** Whether a downloaded file is one of ours (else the device's install hook gets it). */
export function isAgentConfig(head: Buffer): boolean {
  return head.subarray(0, 256).toString('utf8').replace(/\s+/g, '').includes(`"format":"${CONFIG_FORMAT}"`);
}

/**
 * Applies a configuration all at once, as one SetParameterValues: all of it or, on any bad
 * value, none (fault 9018 naming the first). Parameters this device does not have are skipped.
 */
export function importConfig(model: DataModel, file: Buffer, parameterKeyName: string): { applied: number; skipped: string[] } {
  let doc: ConfigDocument;
  try {
    doc = JSON.parse(file.toString('utf8')) as ConfigDocument;
  } catch {
    throw new CwmpFault(9018, 'the configuration file is not valid JSON');
  }
  if (doc?.format !== CONFIG_FORMAT || typeof doc.parameters !== 'object' || doc.parameters === null)
    throw new CwmpFault(9018, `the configuration file is not in the ${CONFIG_FORMAT} format`);
  const list: { name: string; value: string }[] = [];
  const skipped: string[] = [];
  for (const [name, value] of Object.entries(doc.parameters)) {
    if (typeof value !== 'string') throw new CwmpFault(9018, `the value of ${name.slice(0, 128)} is not a string`);
    let known = false;
    try {
      known = model.definitionOf(name)?.writable === true && model.getParameterValues([name]).length === 1;
    } catch {
      known = false;
    }
    if (known) list.push({ name, value });
    else skipped.push(name);
  }
  try {
    // The ParameterKey stays as it is: a restore is not a SetParameterValues of the ACS's.
    model.setParameterValues(list, parameterKeyName, model.read(parameterKeyName));
  } catch (err) {
    if (err instanceof CwmpFault) {
      const first = err.parameterFaults[0];
      throw new CwmpFault(9018, first ? `the configuration file sets ${first.parameterName}: ${first.faultString}` : err.faultString);
    }
    throw err;
  }
  return { applied: list.length, skipped };
}
