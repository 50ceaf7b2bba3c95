/** Every built-in parameter's default is a value its own type, range, size and enumeration allow (under both roots). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkValue } from '../../src/datamodel/value-types.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';

test('built-in defaults are valid values of their parameters', () => {
  const wrong: string[] = [];
  for (const schema of [BUILT_IN_SCHEMA, IGD_SCHEMA]) {
    for (const d of schema.parameters.values()) {
      const r = checkValue(d.default, d);
      if (!r.ok) wrong.push(`${d.name}=${JSON.stringify(d.default)}: ${r.reason}`);
      else if (r.value !== d.default) wrong.push(`${d.name}=${JSON.stringify(d.default)} is not in canonical form (${r.value})`);
    }
  }
  assert.deepEqual(wrong, []);
  // And the check can fail: Radio.Channel's range starts at 1.
  assert.equal(checkValue('0', BUILT_IN_SCHEMA.parameters.get('Device.WiFi.Radio.{i}.Channel')!).ok, false);
});
