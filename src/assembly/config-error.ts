/** A configuration the agent cannot run with: the message names the key, flag or variable at fault. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
