/**
 * `cwmp-agent trace show` on what users point it at: a trace written across restarts of the agent
 * (sessions numbered anew by each process) where every session can be reached, a session that
 * is not there, a missing file, a directory, and a body holding terminal escape sequences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { renderTrace, showTrace } from '../../src/observability/trace-show.js';
import type { TraceRecord } from '../../src/log/trace-record.js';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';

const inform = (serial: string, event: string): string =>
  `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:Inform><DeviceId><Manufacturer>M</Manufacturer><OUI>000000</OUI><ProductClass>P</ProductClass><SerialNumber>${serial}</SerialNumber></DeviceId><Event><EventStruct><EventCode>${event}</EventCode><CommandKey></CommandKey></EventStruct></Event><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-12-07T00:00:00Z</CurrentTime><RetryCount>0</RetryCount><ParameterList></ParameterList></cwmp:Inform></soap-env:Body></soap-env:Envelope>`;

function session(n: number, event: string, t: string): TraceRecord[] {
  return [
    { t, kind: 'cwmp', session: n, dir: 'cpe→acs', method: 'POST', url: 'http://acs/', body: inform('SN1', event) },
    { t, kind: 'cwmp', session: n, dir: 'acs→cpe', status: 204, body: '', ms: 1 },
  ];
}

// Two runs of the agent: the first ran sessions 1 and 2, the second starts again at 1.
const records = [
  ...session(1, '1 BOOT', '2026-12-07T10:00:00.000Z'),
  ...session(2, '2 PERIODIC', '2026-12-07T10:01:00.000Z'),
  ...session(1, '1 BOOT', '2026-12-07T11:00:00.000Z'),
  // The same number twice in a row (one session per run): still two sessions.
  ...session(1, '1 BOOT', '2026-12-07T12:00:00.000Z'),
];
const jsonl = `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

test('sessions are numbered in the order they appear across restarts, and each can be shown', () => {
  assert.equal(renderTrace(jsonl).sessions, 4);
  const all = showTrace(jsonl);
  assert.deepEqual(
    [...all.matchAll(/^session (\d+)/gm)].map((m) => m[1]),
    ['1', '2', '3', '4'],
  );
  const third = showTrace(jsonl, { session: 3 });
  assert.match(third, /^session 3 {2}2026-12-07T11:00:00\.000Z/);
  assert.match(third, /1 BOOT/);
  assert.doesNotMatch(third, /PERIODIC|session 4/);
});

test('control characters in a body reach the terminal as visible escapes', () => {
  const hostile = JSON.stringify({ ...records[0], body: `${records[0]!.body}\u001b[2J\u0007` });
  const text = showTrace(`${hostile}\n`, { bodies: true });
  assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f]/);
  assert.match(text, /\\u001b\[2J\\u0007/);
});

test('the CLI: a missing file, a directory, a session that is not there are errors with a message, no stack trace', () => {
  const dir = tempDir('trace-show-');
  try {
    const file = path.join(dir, 'SN1.jsonl');
    fs.writeFileSync(file, jsonl);
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'trace', 'show', ...args], { encoding: 'utf8' });
    const ok = run(file, '--session', '4');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^session 4/);
    for (const [args, message] of [
      [[path.join(dir, 'missing.jsonl')], /no such file/],
      [[dir], /a directory/],
      [[file, '--session', '99'], /has 4 sessions, no session 99/],
      [[file, '--session', '0'], /from 1/],
    ] as const) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
