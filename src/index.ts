/** cwmp-agent's public API: run agents in-process and bind the data model to a device. */
export { Agent, type AgentOptions } from './agent/agent.js';
export { systemClock, ManualClock, type Clock } from './runtime/clock.js';
export { DataModel, type ModelStore, type StoredModel } from './datamodel/data-model.js';
export { Schema, type ParameterDefinition, type TableDefinition } from './datamodel/schema.js';
export { lazyProvider, perReadBatch, valueProvider, type Provider } from './datamodel/provider.js';
export { SimulatedDevice, simulatedIdentity } from './providers/simulated-device.js';
export { identityValues, type DeviceHooks, type DeviceIdentity, type StandbyCapabilities } from './providers/device.js';
export { gatewayInfoProvider, manageableDeviceProvider, type ManageableDeviceEntry } from './providers/tr111-providers.js';
export { decodeVendorInfo, encodeVendorInfo, type Tr111Identity } from './cwmp/dhcp-vendor-info.js';
export type { StandbyMode, StandbyRefusal, StandbyRequest } from './agent/standby.js';
export { IGD_SCHEMA } from './models/igd.js';
export { LinuxHostDevice } from './providers/linux-host.js';
export { FileModelStore, MemoryModelStore } from './storage/model-store.js';
export { FileAgentStateStore, MemoryAgentStateStore } from './storage/agent-state.js';
export { TestAcs } from './acs/test-acs.js';
export { LightweightNotificationReceiver } from './acs/lightweight-receiver.js';
export { CwmpFault } from './cwmp/faults.js';
export { DEVICE_CORE_PARAMETERS } from './models/device-core.js';
export { DEVICE_STATUS_PARAMETERS, DEVICE_STATUS_TABLES } from './models/device-status.js';
export { XMPP_PARAMETERS, XMPP_TABLES } from './models/xmpp.js';
export { BUILT_IN_PARAMETERS, BUILT_IN_TABLES, BUILT_IN_SCHEMA } from './models/built-in.js';
export { startHttpConnectionRequests, startUdpConnectionRequests, startXmppConnectionRequests } from './connreq/connection-request-wiring.js';
export { assembleDevice, schemaFor, tlsOptions, type AssembledDevice, type AssembleOptions } from './assembly/assemble-device.js';
export { ConfigError, loadConfig, type AgentConfig, type ConfigOverrides } from './assembly/config.js';
// Fleets and scenarios from code: the subpaths cwmp-agent/fleet and cwmp-agent/scenarios (not loaded with the agent).
// The test ACS's readers and writers of CWMP messages, for tests of one's own.
export { acsRequestProblem, parameterValues, readCpeMessage, textAt, writeAcsRequest, type CpeMessageSummary } from './acs/acs-messages.js';
