/**
 * The session state machine without sockets (h11-style): each test feeds HTTP answers and handler
 * results and checks what the machine says to POST, dispatch or conclude.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCpeMessage, textAt, writeAcsFault, writeAcsRequest, writeEmptyResponse, writeInformResponse } from '../../src/acs/acs-messages.js';
import { CwmpFault } from '../../src/cwmp/faults.js';
import type { CpeRequest, InformRequest } from '../../src/cwmp/messages.js';
import { CWMP_NAMESPACES } from '../../src/cwmp/namespaces.js';
import { SessionMachine, type SessionStep } from '../../src/session/session-machine.js';

const [NS10, , NS12] = CWMP_NAMESPACES;
const inform: InformRequest = {
  method: 'Inform',
  deviceId: { manufacturer: 'M', oui: '00D09E', productClass: 'P', serialNumber: 'S1' },
  events: [{ code: '1 BOOT', commandKey: '' }],
  maxEnvelopes: 1,
  currentTime: new Date(Date.UTC(2026, 0, 1)),
  retryCount: 0,
  parameterList: [],
};
const transferComplete: CpeRequest = {
  method: 'TransferComplete',
  commandKey: 'fw',
  fault: { faultCode: 0, faultString: '' },
  startTime: new Date(Date.UTC(2026, 0, 1)),
  completeTime: new Date(Date.UTC(2026, 0, 1, 0, 1)),
};

function machine(o: { cpeRequests?: CpeRequest[]; maxVersion?: '1.0' | '1.4' } = {}): SessionMachine {
  return new SessionMachine({ inform, maxVersion: o.maxVersion ?? '1.4', cpeRequests: o.cpeRequests ?? [], idPrefix: 't' });
}

function sent(step: SessionStep): ReturnType<typeof readCpeMessage> {
  assert.equal(step.kind, 'send', JSON.stringify(step));
  return readCpeMessage(step.kind === 'send' ? step.body : '');
}

const ack = (ns = NS12!) => writeInformResponse({ namespace: ns, id: 't.1' });

test('start: an Inform in the newest namespace, with SupportedCWMPVersions for a 1.4 CPE', () => {
  const m = sent(machine().start());
  assert.equal(m.method, 'Inform');
  assert.equal(m.namespace, NS12);
  assert.equal(m.header['SupportedCWMPVersions'], '1.0,1.1,1.2,1.3,1.4');
  assert.equal(m.header['ID'], 't.1');
  assert.equal(sent(machine({ maxVersion: '1.0' }).start()).namespace, NS10);
});

test('InformResponse: acknowledged, then the empty POST; an empty answer ends the session well', () => {
  const s = machine();
  s.start();
  const afterAck = s.receive(200, ack());
  assert.deepEqual(afterAck.acks, [{ kind: 'inform' }]);
  assert.equal(sent(afterAck).method, '');
  const done = s.receive(204, '');
  assert.equal(done.kind, 'done');
  assert.deepEqual(done.kind === 'done' && done.outcome, { ok: true, informAcknowledged: true, version: '1.4' });
});

test('namespace negotiation: an ACS answering in cwmp-1-0 is spoken to in cwmp-1-0; UseCWMPVersion picks the version within it', () => {
  const s = machine();
  s.start();
  sent(s.receive(200, writeInformResponse({ namespace: NS10!, id: 't.1' })));
  assert.equal(s.cwmpNamespace, NS10);
  const next = s.receive(200, writeAcsRequest({ method: 'GetRPCMethods' }, { namespace: NS10!, id: 'a1' }));
  assert.equal(next.kind, 'dispatch');
  assert.equal(sent(s.respond({ method: 'GetRPCMethodsResponse', methodList: ['Inform'] })).namespace, NS10);
  const v = machine();
  v.start();
  v.receive(200, writeInformResponse({ namespace: NS12!, id: 't.1', useCwmpVersion: '1.2' }));
  assert.equal(v.negotiatedVersion, '1.2');
  const bogus = machine();
  bogus.start();
  bogus.receive(200, writeInformResponse({ namespace: NS12!, id: 't.1', useCwmpVersion: '1.0' }));
  assert.equal(bogus.negotiatedVersion, '1.4', 'a version its namespace does not carry is ignored');
});

test('CPE requests follow the InformResponse; HoldRequests keeps them until a message without it', () => {
  const s = machine({ cpeRequests: [transferComplete] });
  s.start();
  assert.equal(sent(s.receive(200, ack())).method, 'TransferComplete');
  const held = machine({ cpeRequests: [transferComplete] });
  held.start();
  assert.equal(sent(held.receive(200, writeInformResponse({ namespace: NS12!, id: 't.1', holdRequests: true }))).method, '', 'held: the empty POST');
  assert.equal(held.receive(200, writeAcsRequest({ method: 'GetRPCMethods' }, { namespace: NS12!, id: 'a', holdRequests: true })).kind, 'dispatch');
  assert.equal(sent(held.respond({ method: 'GetRPCMethodsResponse', methodList: [] })).method, 'GetRPCMethodsResponse');
  // The ACS's empty answer lifts the hold: now the TransferComplete goes.
  assert.equal(sent(held.receive(204, '')).method, 'TransferComplete');
  const answered = held.receive(200, writeEmptyResponse('TransferCompleteResponse', { namespace: NS12!, id: 't.2' }));
  assert.equal(answered.acks[0]?.kind, 'cpeRequest');
  assert.equal(sent(answered).method, '');
  assert.equal(held.receive(204, '').kind, 'done');
});

test('8005 Retry request: the CPE request stays pending and no more of its own go this session', () => {
  const s = machine({ cpeRequests: [transferComplete, { method: 'RequestDownload', fileType: '1 Firmware Upgrade Image', fileTypeArgs: [] }] });
  s.start();
  assert.equal(sent(s.receive(200, ack())).method, 'TransferComplete');
  const retry = s.receive(500, writeAcsFault(8005, 'again', { namespace: NS12!, id: 't.2' }));
  assert.deepEqual(retry.acks, [], 'not acknowledged');
  assert.equal(sent(retry).method, '', 'the empty POST, not the next request');
  const done = s.receive(204, '');
  assert.equal(done.kind === 'done' && done.outcome.ok, true);
  const rejected = machine({ cpeRequests: [transferComplete] });
  rejected.start();
  rejected.receive(200, ack());
  const final = rejected.receive(500, writeAcsFault(8003, 'no', { namespace: NS12!, id: 't.2' }));
  assert.equal(final.acks[0]?.kind, 'cpeRequestRejected', 'another fault is final: not sent again');
});

test("ACS requests are dispatched and answered with the ACS's cwmp:ID; a thrown fault becomes a SOAP Fault", () => {
  const s = machine();
  s.start();
  s.receive(200, ack());
  const d = s.receive(200, writeAcsRequest({ method: 'GetParameterValues', parameterNames: ['Device.'] }, { namespace: NS12!, id: 'acs-7' }));
  assert.equal(d.kind, 'dispatch');
  const fault = sent(s.respond(new CwmpFault(9005, 'Device.X')));
  assert.equal(fault.method, 'Fault');
  assert.equal(fault.header['ID'], 'acs-7');
  const internal = machine();
  internal.start();
  internal.receive(200, ack());
  internal.receive(200, writeAcsRequest({ method: 'GetRPCMethods' }, { namespace: NS12!, id: 'x' }));
  assert.equal(textAt(sent(internal.respond(new Error('boom'))).body, 'detail', 'Fault', 'FaultCode'), '9002', 'anything else is an internal error');
});

test('failures: a non-200 answer, a Fault to the Inform, an empty answer to the Inform, a message out of turn', () => {
  const cases: [string, (s: SessionMachine) => SessionStep, RegExp, boolean][] = [
    ['HTTP 503', (s) => s.receive(503, ''), /HTTP 503/, false],
    ['Inform faulted', (s) => s.receive(500, writeAcsFault(8002, 'x', { namespace: NS12!, id: 't.1' })), /faulted the Inform/, false],
    ['empty answer to Inform', (s) => s.receive(204, ''), /empty body/, false],
    ['InformResponse later', (s) => (s.receive(200, ack()), s.receive(200, ack())), /unexpected InformResponse/, true],
    ['transport', (s) => s.transportFailed('ECONNREFUSED'), /ECONNREFUSED/, false],
  ];
  for (const [what, act, reason, informAcknowledged] of cases) {
    const s = machine();
    s.start();
    const step = act(s);
    assert.equal(step.kind, 'done', what);
    if (step.kind !== 'done') continue;
    assert.equal(step.outcome.ok, false, what);
    assert.match(step.outcome.reason ?? '', reason, what);
    assert.equal(step.outcome.informAcknowledged, informAcknowledged, what);
  }
});

test('a malformed ACS request gets a Fault and the session goes on; too many in a row end it', () => {
  const s = machine();
  s.start();
  s.receive(200, ack());
  const reply = sent(s.receive(200, '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body><broken'));
  assert.equal(reply.method, 'Fault');
  let step: SessionStep = { kind: 'send', body: '', acks: [] };
  for (let i = 0; i < 20 && step.kind === 'send'; i++) step = s.receive(200, '<nope');
  assert.equal(step.kind, 'done');
  assert.match(step.kind === 'done' ? (step.outcome.reason ?? '') : '', /too many malformed/);
});

test('respond() without a dispatched request, or receive() with nothing expected, is a failed session, not a throw', () => {
  const s = machine();
  s.start();
  assert.equal(s.respond({ method: 'RebootResponse' }).kind, 'done');
  const t = machine();
  assert.equal(t.receive(200, ack()).kind, 'done');
});
