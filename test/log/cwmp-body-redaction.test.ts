/**
 * Secrets out of traced and logged bodies, in every spelling the CPE itself accepts: a namespace
 * prefix, CDATA, character references, whitespace around the name, odd attribute quoting, the
 * Value before the Name; and a Download's Password. The rest of the body stays as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { redactCwmpBody } from '../../src/log/redact.js';
import { WireTrace } from '../../src/log/wire-trace.js';
import { tempDir } from '../helpers/agent-harness.js';

const envelope = (body: string): string =>
  `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">7</cwmp:ID></soap-env:Header><soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;

const spv = (structs: string): string =>
  envelope(
    `<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[2]" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/">${structs}<ParameterValueStruct><Name>Device.DeviceInfo.ProvisioningCode</Name><Value xsi:type="xsd:string">visible-value</Value></ParameterValueStruct></ParameterList><ParameterKey>k</ParameterKey></cwmp:SetParameterValues>`,
  );

const SPELLINGS: Record<string, string> = {
  plain: spv('<ParameterValueStruct><Name>Device.ManagementServer.Password</Name><Value xsi:type="xsd:string">s3cret-pw</Value></ParameterValueStruct>'),
  'namespace prefix': spv(
    '<p:ParameterValueStruct xmlns:p="urn:dslforum-org:cwmp-1-2"><p:Name>Device.ManagementServer.Password</p:Name><p:Value xsi:type="xsd:string">s3cret-pw</p:Value></p:ParameterValueStruct>',
  ),
  CDATA: spv(
    '<ParameterValueStruct><Name>Device.ManagementServer.Password</Name><Value xsi:type="xsd:string"><![CDATA[s3cret-pw]]></Value></ParameterValueStruct>',
  ),
  'character references': spv(
    '<ParameterValueStruct><Name>Device.ManagementServer.Password</Name><Value xsi:type="xsd:string">&#115;&#51;cret-pw</Value></ParameterValueStruct>',
  ),
  'entity in the name, whitespace around it': spv(
    "<ParameterValueStruct><Name>\n  Device.ManagementServer.Pass&#119;ord  \n</Name><Value xsi:type = 'xsd:string' >s3cret-pw</Value ></ParameterValueStruct>",
  ),
  'value before name': spv(
    '<ParameterValueStruct><Value xsi:type="xsd:string">s3cret-pw</Value><Name>Device.WiFi.AccessPoint.1.Security.KeyPassphrase</Name></ParameterValueStruct>',
  ),
  'download password in CDATA with a prefix': envelope(
    '<cwmp:Download><CommandKey>c</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>http://files/fw.bin</URL><Username>u</Username><x:Password xmlns:x="urn:dslforum-org:cwmp-1-2"><![CDATA[s3cret-pw]]></x:Password><FileSize>0</FileSize><TargetFileName></TargetFileName><DelaySeconds>0</DelaySeconds><SuccessURL></SuccessURL><FailureURL></FailureURL></cwmp:Download>',
  ),
};

const leaks = (text: string): boolean => /s3cret|&#115;&#51;cret|CDATA\[s3/.test(text);

for (const [name, body] of Object.entries(SPELLINGS)) {
  test(`a secret spelled with ${name} is hidden; the rest of the body is kept`, () => {
    assert.ok(leaks(body), 'the test body carries the secret');
    const out = redactCwmpBody(body);
    assert.ok(!leaks(out), out);
    assert.match(out, /\[hidden\]/);
    if (!name.startsWith('download')) assert.match(out, /visible-value/, 'other values stay');
    assert.match(out, /<cwmp:ID soap-env:mustUnderstand="1">7<\/cwmp:ID>/, 'the rest as it went over the wire');
  });
}

test('a body that cannot be parsed and names a secret is hidden whole; one that names none is kept', () => {
  const cut = SPELLINGS['CDATA']!.slice(0, -40);
  assert.ok(!leaks(redactCwmpBody(cut)));
  assert.equal(redactCwmpBody('<not xml'), '<not xml');
});

test('the wire trace file holds none of the spellings', async () => {
  const dir = tempDir('trace-redaction-');
  try {
    const trace = new WireTrace({ dir });
    const device = trace.forDevice('SN1');
    for (const body of Object.values(SPELLINGS)) device({ kind: 'cwmp', session: 1, dir: 'acs→cpe', status: 200, body });
    trace.close();
    const text = fs.readFileSync(path.join(dir, 'SN1.jsonl'), 'utf8');
    assert.equal(text.trim().split('\n').length, Object.keys(SPELLINGS).length);
    assert.ok(!leaks(text), text);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
