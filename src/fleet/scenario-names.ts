/** The fleet's scenarios by name (apart from their code, so that the CLI can list them without loading a fleet). */
export const SCENARIOS = ['boot-storm', 'steady', 'cr-storm', 'firmware-rollout', 'churn', 'standby', 'bulkdata', 'migration', 'operate-storm'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
