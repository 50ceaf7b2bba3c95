/** Every message the CPE can emit, in each namespace, validates against the Broadband Forum XSD. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CWMP_NAMESPACES } from '../../src/cwmp/namespaces.js';
import { CwmpFault, parameterFault } from '../../src/cwmp/faults.js';
import { writeEnvelope, writeFaultEnvelope } from '../../src/cwmp/envelope-write.js';
import type { CpeMessage } from '../../src/cwmp/messages.js';
import { validateEnvelopes, xsdSkipReason } from '../helpers/xsd.js';

const t0 = new Date(Date.UTC(2026, 10, 24, 12, 0, 0));

export const SAMPLE_CPE_MESSAGES: CpeMessage[] = [
  {
    method: 'Inform',
    deviceId: { manufacturer: 'Acme & Co <test>', oui: '00D09E', productClass: 'STB', serialNumber: 'SN1' },
    events: [{ code: '0 BOOTSTRAP', commandKey: '' }, { code: '1 BOOT', commandKey: '' }, { code: 'M Reboot', commandKey: 'k1' }],
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
  { method: 'AutonomousTransferComplete', announceURL: '', transferURL: 'http://x/y', isDownload: true, fileType: '1 Firmware Upgrade Image', fileSize: 10, targetFileName: 'fw.bin', fault: { faultCode: 0, faultString: '' }, startTime: t0, completeTime: t0 },
  { method: 'RequestDownload', fileType: '3 Vendor Configuration File', fileTypeArgs: [{ name: 'Version', value: '2' }] },
  { method: 'Kicked', command: 'login', referer: 'http://192.168.1.1/', arg: 'user=a&b', next: 'http://portal.example/welcome?x=<1>' },
  { method: 'GetRPCMethods' },
  { method: 'GetRPCMethodsResponse', methodList: ['GetRPCMethods', 'Inform'] },
  { method: 'SetParameterValuesResponse', status: 0 },
  { method: 'GetParameterValuesResponse', parameterList: [{ name: 'Device.X', value: 'AQI=', type: 'base64' }, { name: 'Device.Y', value: '-5', type: 'int' }] },
  { method: 'GetParameterValuesResponse', parameterList: [] },
  { method: 'GetParameterNamesResponse', parameterList: [{ name: 'Device.', writable: false }, { name: 'Device.A', writable: true }] },
  { method: 'SetParameterAttributesResponse' },
  { method: 'GetParameterAttributesResponse', parameterList: [{ name: 'Device.A', notification: 2, accessList: ['Subscriber'] }, { name: 'Device.B', notification: 0, accessList: [] }] },
  { method: 'AddObjectResponse', instanceNumber: 3, status: 0 },
  { method: 'DeleteObjectResponse', status: 1 },
  { method: 'RebootResponse' },
  { method: 'DownloadResponse', status: 1, startTime: null, completeTime: null },
  { method: 'UploadResponse', status: 0, startTime: t0, completeTime: t0 },
  { method: 'FactoryResetResponse' },
  { method: 'GetQueuedTransfersResponse', transferList: [{ commandKey: 'a', state: 1, isDownload: true, fileType: '1 Firmware Upgrade Image', fileSize: 0, targetFileName: '' }] },
  { method: 'GetAllQueuedTransfersResponse', transferList: [{ commandKey: 'a', state: 2, isDownload: false, fileType: '3 Vendor Configuration File', fileSize: 100, targetFileName: 'log' }] },
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
    const envelopes = messages.map((m, j) => writeEnvelope(m, { namespace: ns, id: `id-${j}`, supportedCwmpVersions: m.method === 'Inform' ? '1.0,1.1,1.2,1.3,1.4' : undefined }));
    envelopes.push(writeFaultEnvelope(new CwmpFault(9003, 'bad', [parameterFault('Device.A', 9007, 'out of range'), parameterFault('Device.B', 9008)]), { namespace: ns, id: 'f' }));
    envelopes.push(writeFaultEnvelope(new CwmpFault(9000), { namespace: ns }));
    const result = validateEnvelopes(ns, envelopes);
    assert.ok(result.ok, result.output);
  });
}

test('the XSD check can fail: a broken Inform is rejected', { skip }, () => {
  const bad = writeEnvelope(SAMPLE_CPE_MESSAGES[0]!, { namespace: CWMP_NAMESPACES[2]!, id: '1' }).replace('<RetryCount>3</RetryCount>', '');
  assert.equal(validateEnvelopes(CWMP_NAMESPACES[2]!, [bad]).ok, false);
});
