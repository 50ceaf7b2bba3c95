/**
 * DeviceInfo.SupportedDataModel.{i} (TR-181, and TR-098 under its root): where an ACS finds the
 * Device Type document of the model the device supports (see supportedModelDocument in
 * dt-export.ts and providers/supported-data-model-provider.ts).
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

const SDM = 'Device.DeviceInfo.SupportedDataModel.{i}.';

export const SUPPORTED_DATA_MODEL_TABLES: readonly TableDefinition[] = [{ name: SDM, writable: false }];

export const SUPPORTED_DATA_MODEL_PARAMETERS: readonly ParameterDefinition[] = [
  { name: 'Device.DeviceInfo.SupportedDataModelNumberOfEntries', type: 'unsignedInt', writable: false, default: '0', countOf: SDM },
  { name: `${SDM}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' },
  { name: `${SDM}URL`, type: 'string', maxLength: 256, writable: false, default: '' },
  { name: `${SDM}UUID`, type: 'string', maxLength: 36, writable: false, default: '00000000-0000-5000-8000-000000000000' },
  { name: `${SDM}URN`, type: 'string', maxLength: 256, writable: false, default: '' },
  { name: `${SDM}Features`, type: 'string', writable: false, default: '' },
];
