/** Every message the CPE can emit, in each namespace, validates against the Broadband Forum XSD. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CWMP_NAMESPACES } from '../../src/cwmp/namespaces.js';
import { CPE_FAULT_STRINGS, CwmpFault, parameterFault } from '../../src/cwmp/faults.js';
import { faultCodeFor } from '../../src/cwmp/fault-codes-by-version.js';
import { writeEnvelope, writeFaultEnvelope } from '../../src/cwmp/envelope-write.js';
import type { CpeMessage } from '../../src/cwmp/messages.js';
import { validateEnvelopes, xsdSkipReason } from '../helpers/xsd.js';

const t0 = new Date(Date.UTC(2026, 10, 24, 12, 0, 0));

export const SAMPLE_CPE_MESSAGES: CpeMessage[] = [
  {
    method: 'Inform',
    deviceId: { manufacturer: 'Acme & Co <test>', oui: '00D09E', productClass: 'STB', serialNumber: 'SN1' },
    events: [
      { code: '0 BOOTSTRAP', commandKey: '' },
      { code: '1 BOOT', commandKey: '' },
      { code: 'M Reboot', commandKey: 'k1' },
    ],
    maxEnvelopes: 1,
    currentTime: t0,
    retryCount: 3,
    parameterList: [
      { name: 'Device.DeviceInfo.SoftwareVersion', value: '1.0 "beta"', type: 'string' },
      { name: 'Device.DeviceInfo.UpTime', value: '42', type: 'unsignedInt' },
      { name: 'Device.ManagementServer.PeriodicInformEnable', value: 'true', type: 'boolean' },
      { name: 'Device.ManagementServer.PeriodicInformTime', value: '0001-01-01T00:00:00Z', type: 'dateTime' },
    ],
  },
  { method: 'TransferComplete', commandKey: 'dl1', fault: { faultCode: 0, faultString: '' }, startTime: t0, completeTime: null },
  { method: 'TransferComplete', commandKey: 'dl2', fault: { faultCode: 9010, faultString: 'Download failed' }, startTime: null, completeTime: null },
  {
    method: 'AutonomousTransferComplete',
    announceURL: '',
    transferURL: 'http://x/y',
    isDownload: true,
    fileType: '1 Firmware Upgrade Image',
    fileSize: 10,
    targetFileName: 'fw.bin',
    fault: { faultCode: 0, faultString: '' },
    startTime: t0,
    completeTime: t0,
  },
  { method: 'RequestDownload', fileType: '3 Vendor Configuration File', fileTypeArgs: [{ name: 'Version', value: '2' }] },
  { method: 'Kicked', command: 'login', referer: 'http://192.168.1.1/', arg: 'user=a&b', next: 'http://portal.example/welcome?x=<1>' },
  { method: 'GetRPCMethods' },
  { method: 'GetRPCMethodsResponse', methodList: ['GetRPCMethods', 'Inform'] },
  { method: 'SetParameterValuesResponse', status: 0 },
  {
    method: 'GetParameterValuesResponse',
    parameterList: [
      { name: 'Device.X', value: 'AQI=', type: 'base64' },
      { name: 'Device.Y', value: '-5', type: 'int' },
    ],
  },
  { method: 'GetParameterValuesResponse', parameterList: [] },
  {
    method: 'GetParameterNamesResponse',
    parameterList: [
      { name: 'Device.', writable: false },
      { name: 'Device.A', writable: true },
    ],
  },
  { method: 'SetParameterAttributesResponse' },
  {
    method: 'GetParameterAttributesResponse',
    parameterList: [
      { name: 'Device.A', notification: 2, accessList: ['Subscriber'] },
      { name: 'Device.B', notification: 0, accessList: [] },
    ],
  },
  { method: 'AddObjectResponse', instanceNumber: 3, status: 0 },
  { method: 'DeleteObjectResponse', status: 1 },
  { method: 'RebootResponse' },
  { method: 'DownloadResponse', status: 1, startTime: null, completeTime: null },
  { method: 'UploadResponse', status: 0, startTime: t0, completeTime: t0 },
  { method: 'FactoryResetResponse' },
  {
    method: 'GetQueuedTransfersResponse',
    transferList: [{ commandKey: 'a', state: 1, isDownload: true, fileType: '1 Firmware Upgrade Image', fileSize: 0, targetFileName: '' }],
  },
  {
    method: 'GetAllQueuedTransfersResponse',
    transferList: [{ commandKey: 'a', state: 2, isDownload: false, fileType: '3 Vendor Configuration File', fileSize: 100, targetFileName: 'log' }],
  },
  { method: 'ScheduleInformResponse' },
  { method: 'SetVouchersResponse' },
  { method: 'GetOptionsResponse', optionList: [] },
  { method: 'ScheduleDownloadResponse' },
  { method: 'CancelTransferResponse' },
  { method: 'ChangeDUStateResponse' },
];

/** Methods that only exist from a given namespace on. */
const INTRODUCED: Record<string, number> = {
  AutonomousTransferComplete: 1,
  GetAllQueuedTransfersResponse: 1,
  ScheduleDownloadResponse: 2,
  CancelTransferResponse: 2,
  ChangeDUStateResponse: 2,
};

const skip = xsdSkipReason();

for (const [i, ns] of CWMP_NAMESPACES.entries()) {
  test(`CPE messages validate against the XSD in ${ns}`, { skip }, () => {
    const messages = SAMPLE_CPE_MESSAGES.filter((m) => (INTRODUCED[m.method] ?? 0) <= i);
    const envelopes = messages.map((m, j) =>
      writeEnvelope(m, { namespace: ns, id: `id-${j}`, supportedCwmpVersions: m.method === 'Inform' ? '1.0,1.1,1.2,1.3,1.4' : undefined }),
    );
    envelopes.push(
      writeFaultEnvelope(new CwmpFault(9003, 'bad', [parameterFault('Device.A', 9007, 'out of range'), parameterFault('Device.B', 9008)]), {
        namespace: ns,
        id: 'f',
      }),
    );
    envelopes.push(writeFaultEnvelope(new CwmpFault(9000), { namespace: ns }));
    const result = validateEnvelopes(ns, envelopes);
    assert.ok(result.ok, result.output);
  });
}

/** Every fault code the agent knows (and a vendor one), in an RPC Fault and in each kind of transfer report. */
const EVERY_FAULT = [...Object.keys(CPE_FAULT_STRINGS).map(Number), 9850];

for (const [i, ns] of CWMP_NAMESPACES.entries()) {
  test(`every fault code, in RPC faults and TransferComplete, is one the XSD allows in ${ns}`, { skip }, () => {
    const envelopes: string[] = [];
    const when = { startTime: new Date(Date.UTC(2026, 0, 1)), completeTime: new Date(Date.UTC(2026, 0, 1, 0, 1)) };
    for (const code of EVERY_FAULT) {
      envelopes.push(writeFaultEnvelope(new CwmpFault(code, 'why'), { namespace: ns, id: `rpc-${code}` }));
      envelopes.push(writeFaultEnvelope(new CwmpFault(9003, 'bad', [parameterFault('Device.A', code)]), { namespace: ns, id: `spv-${code}` }));
      for (const causedBy of ['Download', 'Upload'] as const) {
        envelopes.push(
          writeEnvelope(
            { method: 'TransferComplete', commandKey: 'k', causedBy, fault: { faultCode: code, faultString: 'why' }, ...when },
            { namespace: ns, id: `tc-${causedBy}-${code}` },
          ),
        );
      }
      if (i >= 1) {
        for (const isDownload of [true, false]) {
          envelopes.push(
            writeEnvelope(
              {
                method: 'AutonomousTransferComplete',
                announceURL: '',
                transferURL: 'http://f/x',
                isDownload,
                fileType: '1 Firmware Upgrade Image',
                fileSize: 1,
                targetFileName: '',
                fault: { faultCode: code, faultString: 'why' },
                ...when,
              },
              { namespace: ns, id: `atc-${isDownload}-${code}` },
            ),
          );
        }
      }
    }
    const result = validateEnvelopes(ns, envelopes);
    assert.ok(result.ok, result.output);
  });
}

test("a fault newer than the ACS's namespace is sent as the older code it refines", () => {
  assert.equal(faultCodeFor(9018, CWMP_NAMESPACES[0]!), 9010, 'file corrupted is a download failure to cwmp-1-0');
  assert.equal(faultCodeFor(9018, CWMP_NAMESPACES[1]!), 9018);
  assert.equal(faultCodeFor(9015, CWMP_NAMESPACES[0]!, 'upload'), 9011);
  assert.equal(faultCodeFor(9020, CWMP_NAMESPACES[1]!, 'download'), 9017);
  assert.equal(faultCodeFor(9021, CWMP_NAMESPACES[1]!), 9001);
  assert.equal(faultCodeFor(9013, CWMP_NAMESPACES[2]!, 'download'), 9010, 'TransferComplete never carries 9013');
  assert.equal(faultCodeFor(9003, CWMP_NAMESPACES[2]!, 'download'), 9002);
  assert.equal(faultCodeFor(9021, CWMP_NAMESPACES[2]!), 9021);
  assert.equal(faultCodeFor(9850, CWMP_NAMESPACES[0]!), 9850, 'vendor codes pass in RPC faults');
});

test('the XSD check can fail: a broken Inform is rejected', { skip }, () => {
  const bad = writeEnvelope(SAMPLE_CPE_MESSAGES[0]!, { namespace: CWMP_NAMESPACES[2]!, id: '1' }).replace('<RetryCount>3</RetryCount>', '');
  assert.equal(validateEnvelopes(CWMP_NAMESPACES[2]!, [bad]).ok, false);
});
