/**
 * Providers: where a parameter's value really lives. A provider answers for the objects it
 * names (the longest matching object wins) and may own the instances of tables below them.
 * Values it does not know (get returns undefined) fall back to the persistent store.
 * A device integrator writes a provider, nothing else.
 */

export interface Provider {
  /** Schema object paths this provider answers for, e.g. "Device.DeviceInfo.MemoryStatus.". */
  readonly objects: readonly string[];
  /** The current value of a concrete parameter path, or undefined to use the stored value. */
  get(path: string): string | undefined;
  /** Instance numbers of a table it owns (concrete table path, "Device.X.1.Y."), or undefined if not its own. */
  instances?(tablePath: string): number[] | undefined;
  /**
   * Checks a value the ACS wants to set, before anything is applied: a reason to refuse it
   * (fault 9007), or undefined. Lets a SetParameterValues stay all-or-nothing.
   */
  validate?(path: string, value: string): string | undefined;
  /**
   * Applies a value the ACS set (already type-checked and validated). Returning 'reboot' says
   * the value is stored but takes effect only after a reboot (SetParameterValues Status 1).
   */
  set?(path: string, value: string): void | 'reboot';
  /**
   * Checks at once all the values one SetParameterValues sets on this provider (one round trip
   * for a provider in another process): a reason to refuse, by path. Used instead of validate.
   */
  validateAll?(values: ReadonlyMap<string, string>): Record<string, string>;
  /** Applies at once all the values one SetParameterValues sets on this provider; used instead of set. */
  setAll?(values: ReadonlyMap<string, string>): void | 'reboot';
  /**
   * AddObject on a table it owns: creates the instance on the device and returns its number.
   * Throw a CwmpFault to refuse (9004 when full, say).
   */
  add?(tablePath: string): number;
  /** DeleteObject on an instance of a table it owns ("Device.X.3."). */
  delete?(objectPath: string): void;
  /**
   * For values that change by themselves: calls `changed` with the concrete paths whose value
   * changed, so notification needs no polling. Returns a function that stops it. Providers
   * without it are polled, and then only for the parameters whose notification is on.
   */
  subscribe?(changed: (paths: string[]) => void): () => void;
  /**
   * Gives the provider a way to read the model's values (settings the ACS stored, say) when it
   * joins a device's model. A provider that acts on its own settings reads them through this.
   */
  attach?(read: (path: string) => string): void;
  /**
   * The device's factory setting of a writable parameter (an SSID printed on the label, say),
   * read while nothing is stored for it, before the schema's default. Computed, never stored:
   * a fleet of devices holds none of them.
   */
  factoryDefault?(path: string): string | undefined;
}

/** A provider from a map of parameter path → getter (fixed paths, no instances). */
export function valueProvider(getters: Record<string, () => string>): Provider {
  const objects = [...new Set(Object.keys(getters).map((p) => p.slice(0, p.lastIndexOf('.') + 1)))];
  return { objects, get: (path) => getters[path]?.() };
}

/**
 * A provider built on first use: a device that may never be asked for these objects (a TR-181
 * fleet device and its TR-098 gateway tree) holds only this small wrapper. It answers get,
 * instances, validate and factoryDefault, and passes attach on; the provider it builds must
 * need nothing else.
 */
export function lazyProvider(objects: readonly string[], build: () => Provider): Provider;
/** With the builder's argument given apart: a builder shared by many devices, each its own argument, makes no closure per device. */
export function lazyProvider<A>(objects: readonly string[], build: (arg: A) => Provider, arg: A): Provider;
export function lazyProvider(objects: readonly string[], build: (arg: unknown) => Provider, arg?: unknown): Provider {
  return new LazyProvider(objects, build, arg);
}

/** Reads a startIf is making (synchronous, so one counter serves every model in the process). */
let startIfReads = 0;

/** Methods on the prototype, so a fleet of devices holds no closures per lazy provider. */
class LazyProvider implements Provider {
  protected built: Provider | undefined;
  private read: ((path: string) => string) | undefined;
  constructor(
    readonly objects: readonly string[],
    private readonly build: (arg: unknown) => Provider,
    private readonly arg: unknown,
  ) {}

  protected target(): Provider {
    if (!this.built) {
      const built = this.build(this.arg);
      this.built = built;
      if (this.read) built.attach?.(this.read);
      this.onBuilt(built);
    }
    return this.built;
  }

  /** What a subclass hands over to the provider once it exists. */
  protected onBuilt(_built: Provider): void {}

  // While a startIf reads the stored settings, no lazy provider is built: they come from the store.
  get(path: string): string | undefined {
    if (startIfReads > 0) return undefined;
    return this.target().get(path);
  }

  instances(tablePath: string): number[] | undefined {
    if (startIfReads > 0) return undefined;
    return this.target().instances?.(tablePath);
  }

  validate(path: string, value: string): string | undefined {
    return this.target().validate?.(path, value);
  }

  factoryDefault(path: string): string | undefined {
    if (startIfReads > 0) return undefined;
    return this.target().factoryDefault?.(path);
  }

  /** Kept until the provider is built, and handed over then. */
  attach(read: (path: string) => string): void {
    this.read = read;
  }
}

/*
 * Read batches: one RPC reads many parameters of the same device source (a /proc file, the
 * interface list) within one synchronous call. Inside a batch a source wrapped with
 * perReadBatch is read once; outside, every call reads afresh. Batches never interleave
 * (they are synchronous), so one counter serves every model in the process.
 */
let batchDepth = 0;
let batchEpoch = 0;

/** Runs `f` as one read batch (nested calls join the outer batch). */
export function inReadBatch<T>(f: () => T): T {
  if (batchDepth++ === 0) batchEpoch++;
  try {
    return f();
  } finally {
    batchDepth--;
  }
}

/** Which read batch is running (a number that changes with each), or undefined outside one. */
export function currentReadBatch(): number | undefined {
  return batchDepth > 0 ? batchEpoch : undefined;
}

/** A device source read at most once per read batch. */
export function perReadBatch<A extends unknown[], T>(source: (...args: A) => T): (...args: A) => T {
  let epoch = -1;
  let memo = new Map<string, T>();
  return (...args) => {
    if (batchDepth === 0) return source(...args);
    if (epoch !== batchEpoch) {
      epoch = batchEpoch;
      memo = new Map();
    }
    const key = args.length === 0 ? '' : JSON.stringify(args);
    if (memo.has(key)) return memo.get(key)!;
    const value = source(...args);
    memo.set(key, value);
    return value;
  };
}

/**
 * A provider built on first use that also takes settings (set) and reports changes (subscribe):
 * the subscription is kept until the provider exists, then handed over. `startIf` looks at the
 * stored settings when the provider joins a device's model and builds it at once when it has
 * work of its own to do (a sampling timer the ACS turned on before a restart, say).
 */
export function lazySettableProvider(objects: readonly string[], build: () => Provider, o?: LazySettableOptions): Provider;
/** With the builder's argument given apart (see lazyProvider). */
export function lazySettableProvider<A>(objects: readonly string[], build: (arg: A) => Provider, o: LazySettableOptions, arg: A): Provider;
export function lazySettableProvider(objects: readonly string[], build: (arg: unknown) => Provider, o: LazySettableOptions = {}, arg?: unknown): Provider {
  return new LazySettableProvider(objects, build, arg, o.startIf, o.instances);
}

export interface LazySettableOptions {
  /** Whether to build at once, from the stored settings (read through the model). */
  startIf?: (read: (path: string) => string) => boolean;
  /** The provider's rows when they are fixed: known without building it. */
  instances?: (tablePath: string) => number[] | undefined;
}

class LazySettableProvider extends LazyProvider {
  private changed: ((paths: string[]) => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  constructor(
    objects: readonly string[],
    build: (arg: unknown) => Provider,
    arg: unknown,
    private readonly startIf: ((read: (path: string) => string) => boolean) | undefined,
    private readonly fixedInstances: ((tablePath: string) => number[] | undefined) | undefined,
  ) {
    super(objects, build, arg);
  }

  protected override onBuilt(built: Provider): void {
    if (this.changed && built.subscribe) this.unsubscribe = built.subscribe((paths) => this.changed?.(paths));
  }

  override instances(tablePath: string): number[] | undefined {
    return this.fixedInstances ? this.fixedInstances(tablePath) : super.instances(tablePath);
  }

  set(path: string, value: string): void | 'reboot' {
    return this.target().set?.(path, value);
  }

  subscribe(changed: (paths: string[]) => void): () => void {
    this.changed = changed;
    if (this.built && !this.unsubscribe) this.onBuilt(this.built);
    return () => {
      this.changed = undefined;
      this.unsubscribe?.();
    };
  }

  override attach(read: (path: string) => string): void {
    super.attach(read);
    if (!this.startIf) return;
    startIfReads++;
    let start: boolean;
    try {
      start = this.startIf(read);
    } finally {
      startIfReads--;
    }
    if (start) this.target();
  }
}
