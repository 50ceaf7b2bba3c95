/** What a USP command is to the agent: its place in the data model, its arguments, and how it runs. */
import type { DeviceRuntime } from '../device/device-runtime.js';

/** How an asynchronous command ended: its output arguments, or a failure (OperationComplete's cmd_failure). */
export type CommandOutcome = { outputs: Record<string, string> } | { failure: { code: number; message: string } };

/** What a command may ask of the USP endpoint that runs it. */
export interface CommandHooks {
  /** Sends an OnBoardRequest to the Controller at this path ("Device.LocalAgent.Controller.1."). */
  onBoard(controllerPath: string): void;
  /** A Device.LocalAgent.Request row for an asynchronous command now running; returns its path. */
  startRequest(command: string, commandKey: string): string;
  /**
   * Runs an asynchronous command's work in the background; its outcome ends the Request row at
   * `request` with OperationComplete. The signal aborts it when the agent stops.
   */
  runInBackground(request: string, work: (signal: AbortSignal) => Promise<CommandOutcome>): void;
  /** Cancels the command of the Request row at `request` (its Cancel()); throws a UspError when it cannot be stopped. */
  cancelRequest(request: string): void;
}

export interface CommandDefinition {
  /** The object it belongs to, in its supported form ("Device.LocalAgent.Controller.{i}."). */
  object: string;
  name: string;
  input: readonly string[];
  output: readonly string[];
  async: boolean;
  /** Starts it on the instance at `objectPath`; what it returns is sent, then `after` runs (a reboot goes after the answer). */
  run(
    device: DeviceRuntime,
    commandKey: string,
    objectPath: string,
    hooks: CommandHooks,
    args: Readonly<Record<string, string>>,
  ): { outputs: Record<string, string>; after?: () => void; request?: string };
}
