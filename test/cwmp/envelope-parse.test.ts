import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAcsEnvelope } from '../../src/cwmp/envelope-parse.js';
import { CWMP_NAMESPACES, CWMP_NS_1_0, CWMP_NS_1_2 } from '../../src/cwmp/namespaces.js';
import type { AcsRequest } from '../../src/cwmp/messages.js';
import { writeAcsRequest, writeInformResponse } from '../../src/acs/acs-messages.js';

const REQUESTS: AcsRequest[] = [
  { method: 'GetRPCMethods' },
  {
    method: 'SetParameterValues',
    parameterList: [
      { name: 'Device.A', value: ' spaced & <x> ', type: 'string' },
      { name: 'Device.B', value: '5' },
    ],
    parameterKey: 'pk',
  },
  { method: 'GetParameterValues', parameterNames: ['Device.', 'Device.DeviceInfo.UpTime'] },
  { method: 'GetParameterNames', parameterPath: 'Device.', nextLevel: true },
  {
    method: 'SetParameterAttributes',
    parameterList: [{ name: 'Device.A', notificationChange: true, notification: 2, accessListChange: false, accessList: [] }],
  },
  { method: 'GetParameterAttributes', parameterNames: ['Device.A'] },
  { method: 'AddObject', objectName: 'Device.X.', parameterKey: '' },
  { method: 'DeleteObject', objectName: 'Device.X.1.', parameterKey: 'k' },
  { method: 'Reboot', commandKey: 'r1' },
  {
    method: 'Download',
    commandKey: 'd',
    fileType: '1 Firmware Upgrade Image',
    url: 'http://h/f',
    username: 'u',
    password: 'p',
    fileSize: 10,
    targetFileName: 'f',
    delaySeconds: 0,
    successURL: '',
    failureURL: '',
  },
  { method: 'Upload', commandKey: 'u', fileType: '2 Vendor Log File', url: 'http://h/u', username: '', password: '', delaySeconds: 5 },
  { method: 'FactoryReset' },
  { method: 'GetQueuedTransfers' },
  { method: 'GetAllQueuedTransfers' },
  { method: 'ScheduleInform', delaySeconds: 30, commandKey: 's' },
  { method: 'CancelTransfer', commandKey: 'c' },
  { method: 'SetVouchers', voucherList: ['dm91Y2hlcg=='] },
  { method: 'GetOptions', optionName: 'opt' },
];

for (const ns of CWMP_NAMESPACES) {
  test(`every ACS request round-trips in ${ns}`, () => {
    for (const req of REQUESTS) {
      const parsed = parseAcsEnvelope(writeAcsRequest(req, { namespace: ns, id: 'id7' }));
      assert.ok(parsed.ok, `${req.method}: ${!parsed.ok && parsed.fault.message}`);
      assert.equal(parsed.envelope.namespace, ns);
      assert.equal(parsed.envelope.header.id, 'id7');
      assert.deepEqual(parsed.envelope.message, { kind: 'request', request: req });
    }
  });
}

test('InformResponse, HoldRequests and UseCWMPVersion are read', () => {
  const parsed = parseAcsEnvelope(writeInformResponse({ namespace: CWMP_NS_1_2, id: '1', holdRequests: true, useCwmpVersion: '1.4' }));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.envelope.header, { id: '1', holdRequests: true, useCwmpVersion: '1.4' });
  assert.deepEqual(parsed.envelope.message, { kind: 'response', response: { method: 'InformResponse', maxEnvelopes: 1 } });
});

test('an empty body is an empty message', () => {
  const parsed = parseAcsEnvelope('  \r\n');
  assert.ok(parsed.ok && parsed.envelope.message === null);
});

test('an ACS fault is read with its code', () => {
  const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="${CWMP_NS_1_0}"><soap:Body><soap:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>8005</FaultCode><FaultString>Retry request</FaultString></cwmp:Fault></detail></soap:Fault></soap:Body></soap:Envelope>`;
  const parsed = parseAcsEnvelope(xml);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.envelope.message, { kind: 'fault', fault: { method: 'Fault', faultCode: 8005, faultString: 'Retry request' } });
});

const env = (body: string, ns = CWMP_NS_1_2): string =>
  `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="${ns}"><soap:Header><cwmp:ID soap:mustUnderstand="1">x1</cwmp:ID></soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;

const HOSTILE: [string, string, number][] = [
  ['DOCTYPE', '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaa">]><e>&a;</e>', 9003],
  ['billion laughs', '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>', 9003],
  ['external entity', '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>', 9003],
  ['undefined entity', env('<cwmp:Reboot><CommandKey>&boom;</CommandKey></cwmp:Reboot>'), 9003],
  ['unknown method', env('<cwmp:SelfDestruct/>'), 9000],
  ['wrong method namespace', env('<x:Reboot xmlns:x="urn:evil"><CommandKey>k</CommandKey></x:Reboot>'), 9000],
  ['missing argument', env('<cwmp:Reboot/>'), 9003],
  ['CommandKey too long', env(`<cwmp:Reboot><CommandKey>${'k'.repeat(33)}</CommandKey></cwmp:Reboot>`), 9003],
  ['bad boolean', env('<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>maybe</NextLevel></cwmp:GetParameterNames>'), 9003],
  ['object name without dot', env('<cwmp:AddObject><ObjectName>Device.X</ObjectName><ParameterKey/></cwmp:AddObject>'), 9003],
  ['not SOAP', '<Envelope><Body/></Envelope>', 9003],
  ['deep nesting', env('<a>'.repeat(5000) + '</a>'.repeat(5000)), 9003],
  ['two methods', env('<cwmp:FactoryReset/><cwmp:FactoryReset/>'), 9003],
  [
    'unknown mandatory header',
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><z:T xmlns:z="urn:z" soap:mustUnderstand="1"/></soap:Header><soap:Body/></soap:Envelope>`,
    9000,
  ],
  ['truncated', env('<cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>').slice(0, 120), 9003],
];

for (const [name, xml, code] of HOSTILE) {
  test(`hostile input gets fault ${code}: ${name}`, () => {
    const parsed = parseAcsEnvelope(xml);
    assert.equal(parsed.ok, false);
    assert.equal(!parsed.ok && parsed.fault.faultCode, code);
  });
}

test('the ID is recovered from a request with bad arguments, so the fault can be paired', () => {
  const parsed = parseAcsEnvelope(env('<cwmp:Reboot/>'));
  assert.ok(!parsed.ok && parsed.id === 'x1' && parsed.namespace === CWMP_NS_1_2);
});
