/** The fleet's scenarios by name (apart from their code, so that the CLI can list them without loading a fleet). */
export const SCENARIOS = ['boot-storm', 'steady', 'cr-storm', 'firmware-rollout', 'churn', 'standby', 'bulkdata', 'migration', 'operate-storm'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** What the operate-storm has the USP controller run: Device.Reboot(), a firmware Download(), or deployment units in and out. */
export const STORM_OPERATIONS = ['reboot', 'download', 'install-du'] as const;
export type StormOperation = (typeof STORM_OPERATIONS)[number];
