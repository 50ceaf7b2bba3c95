/**
 * A decoded USP Msg as readable text for the wire trace: JSON, bytes in hex, and every secret
 * value hidden (a Set's or an Add's param_settings, a Get's result_params, an Operate's arguments:
 * whatever is named like a password or key), unless the trace keeps secrets (a lab).
 */
import { HIDDEN, isSecretParameterName } from './cwmp-body-redaction.js';

export function readableUspMsg(msg: object, keepSecrets: boolean): string {
  return JSON.stringify(msg, function (this: Record<string, unknown>, key, value: unknown) {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
    if (keepSecrets || typeof value !== 'string') return value;
    // A map of names to values (result_params, input_args): the key names the parameter. (Data
    // model names start with a capital; the Msg's own fields, such as command_key, do not.)
    if (key !== 'value' && /^[A-Z]/.test(key) && isSecretParameterName(key)) return HIDDEN;
    // A {param, value} pair (param_settings) or {path, value}: the sibling names it.
    if (key === 'value') {
      const name = this['param'] ?? this['path'] ?? this['param_name'];
      if (typeof name === 'string' && isSecretParameterName(name)) return HIDDEN;
    }
    return value;
  });
}
