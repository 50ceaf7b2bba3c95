/** Property tests: no input, however malformed or hostile, makes the parser or the session throw. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAcsEnvelope } from '../../src/cwmp/envelope-parse.js';
import { CWMP_NAMESPACES } from '../../src/cwmp/namespaces.js';
import { SessionMachine } from '../../src/session/session-machine.js';
import { writeInformResponse } from '../../src/acs/acs-messages.js';

const METHODS = [
  'GetParameterValues',
  'SetParameterValues',
  'Reboot',
  'Download',
  'AddObject',
  'GetParameterNames',
  'SetParameterAttributes',
  'ScheduleDownload',
  'ChangeDUState',
  'Nope',
  'InformResponse',
  'Fault',
];
const FRAGMENTS = [
  '<!DOCTYPE x [<!ENTITY e "e">]>',
  '&e;',
  '&amp;',
  '<![CDATA[x]]>',
  '<?pi x?>',
  '<!-- c -->',
  '\u0000',
  '\uFFFE',
  '<a>',
  '</a>',
  '<',
  '>',
  '"',
  "'",
  'xmlns:cwmp="urn:evil"',
  '<string>Device.</string>',
  '<ParameterList>',
  '</ParameterList>',
];

const hostileEnvelope = fc
  .record({
    ns: fc.constantFrom(...CWMP_NAMESPACES, 'urn:dslforum-org:cwmp-1-4', 'urn:x', ''),
    method: fc.constantFrom(...METHODS),
    inner: fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 12 }),
    cut: fc.option(fc.nat({ max: 400 })),
    prefix: fc.constantFrom('', '<?xml version="1.0"?>', '<!DOCTYPE a SYSTEM "http://x">', '\uFEFF'),
  })
  .map(({ ns, method, inner, cut, prefix }) => {
    const xml = `${prefix}<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="${ns}"><s:Header><cwmp:ID s:mustUnderstand="1">1</cwmp:ID></s:Header><s:Body><cwmp:${method}>${inner.join('')}</cwmp:${method}></s:Body></s:Envelope>`;
    return cut === null ? xml : xml.slice(0, cut);
  });

test('the parser never throws on hostile envelopes (5,000 cases)', () => {
  fc.assert(
    fc.property(fc.oneof(hostileEnvelope, fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 })), (xml) => {
      const r = parseAcsEnvelope(xml);
      if (!r.ok) assert.ok(r.fault.faultCode >= 9000 && r.fault.faultCode <= 9004, `fault ${r.fault.faultCode}`);
    }),
    { numRuns: 5000 },
  );
});

test('a session fed hostile messages answers each with a fault or ends cleanly (2,000 cases)', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(hostileEnvelope, fc.constant('')), { minLength: 1, maxLength: 20 }), (bodies) => {
      const m = new SessionMachine({
        inform: {
          method: 'Inform',
          deviceId: { manufacturer: 'm', oui: '000000', productClass: 'p', serialNumber: 's' },
          events: [],
          maxEnvelopes: 1,
          currentTime: new Date(0),
          retryCount: 0,
          parameterList: [],
        },
        maxVersion: '1.4',
        cpeRequests: [],
        idPrefix: 'p',
      });
      let step = m.start();
      step = m.receive(200, writeInformResponse({ namespace: 'urn:dslforum-org:cwmp-1-2', id: '1' }));
      for (const body of bodies) {
        if (step.kind === 'done') return;
        if (step.kind === 'dispatch') step = m.respond(new Error('handler not under test'));
        if (step.kind === 'send') step = m.receive(200, body);
      }
      assert.ok(step.kind === 'done' || step.kind === 'send' || step.kind === 'dispatch');
    }),
    { numRuns: 2000 },
  );
});

test('huge bodies are bounded: 5 MB of elements fails fast with a fault', () => {
  const xml = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${'<a/>'.repeat(1_300_000)}</s:Body></s:Envelope>`;
  const start = process.hrtime.bigint();
  const r = parseAcsEnvelope(xml);
  assert.equal(r.ok, false);
  assert.ok(Number(process.hrtime.bigint() - start) / 1e6 < 5000);
});
