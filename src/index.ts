/** cwmp-agent's public API: run agents in-process and bind the data model to a device. */
export { Agent, type AgentOptions } from './agent.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
export { DataModel, type ModelStore, type StoredModel } from './datamodel/data-model.js';
export { Schema, type ParameterDefinition, type TableDefinition } from './datamodel/schema.js';
export { valueProvider, type Provider } from './datamodel/provider.js';
export { SimulatedDevice, simulatedIdentity, type DeviceHooks, type DeviceIdentity } from './providers/simulated-device.js';
export { LinuxHostDevice } from './providers/linux-host.js';
export { FileModelStore, MemoryModelStore } from './providers/file-model-store.js';
export { FileAgentStateStore, MemoryAgentStateStore } from './storage/agent-state.js';
export { TestAcs } from './acs/test-acs.js';
export { CwmpFault } from './cwmp/faults.js';
export { DEVICE_CORE_PARAMETERS } from './models/device-core.js';
export { DEVICE_STATUS_PARAMETERS, DEVICE_STATUS_TABLES } from './models/device-status.js';
export { XMPP_PARAMETERS, XMPP_TABLES } from './models/xmpp.js';
export { BUILT_IN_PARAMETERS, BUILT_IN_TABLES, BUILT_IN_SCHEMA } from './models/built-in.js';
export { startHttpConnectionRequests, startUdpConnectionRequests, startXmppConnectionRequests } from './connection-requests.js';
