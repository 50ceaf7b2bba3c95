/**
 * A provider helper that floods the agent: a hundred thousand `changed` lines reach the agent as
 * a few coalesced batches (each path once), its stderr is bounded, and instance numbers past
 * unsignedInt (1e300) are a protocol error, not a table of that size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ExternalProcessProvider } from '../../src/providers/external/external-process-provider.js';
import { readHelperLine } from '../../src/providers/external/helper-protocol.js';
import { until } from '../helpers/until.js';

const noPython = spawnSync('python3', ['--version']).status === 0 ? false : 'python3 is not installed';

const FLOOD = `
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "get":
        sys.stdout.write(json.dumps({"id": req["id"], "values": {"Device.Users.User.1.Username": "a"}, "instances": {"Device.Users.User.": [1]}}) + "\\n")
        sys.stdout.flush()
        out = []
        for i in range(100000):
            out.append(json.dumps({"op": "changed", "paths": ["Device.Users.User.%d.Username" % (i % 50)]}))
            if i % 1000 == 0:
                sys.stderr.write("chatter %d\\n\\n" % i)
        sys.stdout.write("\\n".join(out) + "\\n")
        sys.stdout.flush()
`;

test('a flood of changed lines arrives as a few batches, each path once; stderr is bounded', { skip: noPython, timeout: 60_000 }, async () => {
  const logs: string[] = [];
  const provider = new ExternalProcessProvider({
    command: ['python3', '-c', FLOOD],
    objects: ['Device.Users.'],
    timeoutMs: 5_000,
    log: (line) => logs.push(line),
  });
  const batches: string[][] = [];
  provider.subscribe((paths) => batches.push(paths));
  try {
    assert.equal(provider.get('Device.Users.User.1.Username'), 'a');
    await until(() => new Set(batches.flat()).size === 50 || undefined, 'all 50 changed paths');
    assert.ok(batches.length < 100, `${batches.length} batches for 100,000 lines`);
    assert.ok(
      batches.every((b) => new Set(b).size === b.length),
      'each path once a batch',
    );
    assert.ok(logs.length <= 40, `${logs.length} log lines for 200 stderr lines written at once`);
    assert.ok(
      logs.every((l) => !/: $/.test(l)),
      'no blank stderr line logged',
    );
  } finally {
    provider.close();
  }
});

test('instance numbers are unsignedInt: 1e300 or 0 is a protocol error', () => {
  for (const n of ['1e300', '0', '4294967296', '1.5']) {
    const r = readHelperLine(`{"id":1,"values":{},"instances":{"Device.Users.User.":[${n}]}}`);
    assert.equal(r.ok, false, n);
  }
  assert.equal(readHelperLine('{"id":1,"instance":1e300}').ok, false);
  assert.equal(readHelperLine('{"id":1,"values":{},"instances":{"Device.Users.User.":[1,4294967295]}}').ok, true);
});
