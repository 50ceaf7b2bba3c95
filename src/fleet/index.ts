/** cwmp-agent/fleet: many simulated devices in one process, from code, as `cwmp-agent fleet` runs them. */
export { Fleet, type FleetMember, type FleetOptions } from './fleet.js';
export { loadProfile, type Profile } from './profile.js';
export { runScenario as runFleetScenario, type ScenarioOptions as FleetScenarioOptions, type ScenarioRun as FleetScenarioRun } from './scenarios.js';
export { SCENARIOS, type ScenarioName } from './scenario-names.js';
