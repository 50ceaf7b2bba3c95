import type { DuOperation, DuOpResult } from '../../cwmp/messages.js';
import type { Provider } from '../../datamodel/provider.js';
import { SOFTWARE_MODULES_OBJECTS } from './software-module-values.js';
import type { PackageFetcher, SoftwareModuleHooks, SoftwareModules } from './software-modules.js';

/**
 * Software modules made on first use, for a fleet's devices: most never get a ChangeDUState, and
 * then hold only this. Without a folder nothing is loaded at boot either. Its values are polled
 * for notifications (no subscription), which costs nothing until the ACS turns one on.
 */
export class LazySoftwareModules implements Provider, SoftwareModuleHooks {
  readonly objects = SOFTWARE_MODULES_OBJECTS;
  private built: SoftwareModules | undefined;

  /** `persistent`: the units live in a folder, so a boot loads and starts them. */
  constructor(
    private readonly make: () => SoftwareModules,
    private readonly persistent: boolean,
  ) {}

  private get sm(): SoftwareModules {
    this.built ??= this.make();
    return this.built;
  }

  get(p: string): string | undefined {
    return this.sm.get(p);
  }
  instances(table: string): number[] | undefined {
    return this.sm.instances(table);
  }
  validate(p: string, value: string): string | undefined {
    return this.sm.validate(p, value);
  }
  set(p: string, value: string): void {
    this.sm.set(p, value);
  }
  perform(opId: string, op: DuOperation, startTime: Date, fetch: PackageFetcher): Promise<DuOpResult> {
    return this.sm.perform(opId, op, startTime, fetch);
  }
  outcomeOf(opId: string): DuOpResult | undefined {
    return this.persistent ? this.sm.outcomeOf(opId) : this.built?.outcomeOf(opId);
  }
  forgetOutcomes(keep: ReadonlySet<string>): void {
    if (this.persistent) this.sm.forgetOutcomes(keep);
    else this.built?.forgetOutcomes(keep);
  }
  boot(): void {
    if (this.built || this.persistent) this.sm.boot();
  }
}
