/**
 * OnBoardRequests and what follows them (TR-369 R-NOT.5): sending one sets the Controller's
 * OnBoardingComplete to false; while it stays false, another goes OnBoardingRestartTime seconds
 * after the Controller's NotifyResp (0: never); a Controller setting it to false asks for one.
 * The Agent or the Controller sets it to true when onboarding is done, which ends the repeats.
 */
import type { DataModel } from '../datamodel/data-model.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';

/** The Controller's row path ("Device.LocalAgent.Controller.1.") of an OnBoardingComplete parameter, or undefined. */
const ON_BOARDING_COMPLETE = /^(Device\.LocalAgent\.Controller\.\d+\.)OnBoardingComplete$/;

export class OnBoarding {
  // Made when first needed and dropped when empty: a fleet holds one of these per device.
  /** The OnBoardRequests waiting for their NotifyResp: msg_id to the Controller's row. */
  private unanswered: Map<string, string> | undefined;
  private restarts: Map<string, TimerHandle> | undefined;

  constructor(
    private readonly model: DataModel,
    private readonly clock: Clock,
    /** Sends an OnBoardRequest to the Controller at this row; its msg_id. */
    private readonly sendRequest: (controllerPath: string) => string,
  ) {}

  /** An OnBoardRequest to the Controller at `controllerPath` ("Device.LocalAgent.Controller.1."). */
  send(controllerPath: string): void {
    this.cancelRestart(controllerPath);
    const complete = `${controllerPath}OnBoardingComplete`;
    if (this.model.definitionOf(complete)) this.model.provision({ [complete]: 'false' });
    (this.unanswered ??= new Map()).set(this.sendRequest(controllerPath), controllerPath);
  }

  /** A NotifyResp came: for an OnBoardRequest, the restart timer starts while onboarding is not complete. */
  acknowledged(msgId: string): void {
    const controllerPath = this.unanswered?.get(msgId);
    if (controllerPath === undefined) return;
    this.unanswered!.delete(msgId);
    if (this.unanswered!.size === 0) this.unanswered = undefined;
    const restart = `${controllerPath}OnBoardingRestartTime`;
    const seconds = this.model.definitionOf(restart) ? Number(this.model.read(restart)) : 0;
    if (!(seconds > 0) || this.complete(controllerPath)) return;
    (this.restarts ??= new Map()).set(
      controllerPath,
      this.clock.setTimer(seconds * 1000, () => {
        this.restarts?.delete(controllerPath);
        if (!this.complete(controllerPath) && this.model.read(`${controllerPath}Enable`) === 'true') this.send(controllerPath);
      }),
    );
  }

  /** Values a Controller changed: OnBoardingComplete set to false asks for an OnBoardRequest, set to true ends the repeats. */
  valuesChanged(names: readonly string[]): void {
    for (const name of names) {
      const controllerPath = ON_BOARDING_COMPLETE.exec(name)?.[1];
      if (controllerPath === undefined || !this.model.definitionOf(name)) continue;
      if (this.model.read(name) === 'false') {
        if (this.model.read(`${controllerPath}Enable`) === 'true') this.send(controllerPath);
      } else this.cancelRestart(controllerPath);
    }
  }

  stop(): void {
    for (const t of this.restarts?.values() ?? []) t.cancel();
    this.restarts = undefined;
  }

  private cancelRestart(controllerPath: string): void {
    this.restarts?.get(controllerPath)?.cancel();
    this.restarts?.delete(controllerPath);
    if (this.restarts?.size === 0) this.restarts = undefined;
  }

  private complete(controllerPath: string): boolean {
    const complete = `${controllerPath}OnBoardingComplete`;
    return !this.model.definitionOf(complete) || this.model.read(complete) !== 'false';
  }
}
