/** cwmp-agent/scenarios: scenario files that test an ACS, from code, as `cwmp-agent scenario` runs them. */
export { parseScenario, scenarioJsonSchema, ScenarioError, type Scenario } from './scenario-schema.js';
export { runScenario, type ScenarioResult, type ScenarioRunOptions } from './scenario-runner.js';
export { htmlReport, junitReport, markdownReport } from './scenario-report.js';
