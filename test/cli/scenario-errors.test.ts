/**
 * `cwmp-agent scenario` on files and flags that cannot run: each is a message and status 2 before
 * anything starts, never a stack trace. An alias bomb, a missing profile, an RPC the bundled ACS
 * cannot send, a report path that cannot be written, and a bad CWMP_AGENT_* variable (the
 * variables run and fleet honour are honoured here too).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';

const valid = (extra = ''): string => `name: tiny
devices: 1
${extra}steps:
  - start: { bootWindowSeconds: 0 }
expect:
  - name: sessions succeed
    sessions: { succeededAtLeastPercent: 100 }
`;

test('scenario files and flags that cannot run end in status 2 with a message, before anything starts', () => {
  const dir = tempDir('scenario-errors-');
  try {
    const write = (name: string, text: string): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    const bomb = write(
      'bomb.yaml',
      `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n${valid()}`,
    );
    const cases: { args: string[]; env?: Record<string, string>; message: RegExp }[] = [
      { args: [bomb], message: /bomb\.yaml: .*alias/i },
      { args: [write('profile.yaml', valid('profile: no-such-profile\n'))], message: /profile "no-such-profile"/ },
      { args: [write('rpc.yaml', valid('acs:\n  on:\n    "0 BOOTSTRAP": [{ method: FlyToTheMoon }]\n'))], message: /FlyToTheMoon/ },
      {
        args: [write('args.yaml', valid('acs:\n  on:\n    "0 BOOTSTRAP": [{ method: GetParameterValues }]\n'))],
        message: /GetParameterValues: missing or wrong arguments/,
      },
      { args: [write('ok.yaml', valid()), '--junit', path.join(dir, 'no', 'such', 'folder', 'j.xml')], message: /--junit .*folder does not exist/ },
      { args: [write('ok2.yaml', valid()), '--report', dir], message: /--report .*is a folder/ },
      { args: [write('ok3.yaml', valid())], env: { CWMP_AGENT_CR_PORT: 'seventy' }, message: /CWMP_AGENT_CR_PORT="seventy"/ },
    ];
    for (const c of cases) {
      const started = Date.now();
      const r = spawnSync(process.execPath, [bin, 'scenario', ...c.args], { encoding: 'utf8', env: { ...process.env, ...c.env }, timeout: 60_000 });
      assert.equal(r.status, 2, `${c.args.join(' ')}: status ${r.status}\n${r.stderr}`);
      assert.match(r.stderr, c.message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /^scenario: /m, 'nothing ran');
      assert.ok(Date.now() - started < 30_000);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
