/**
 * Which of a device's providers answer for a schema path, in order: the one naming the longest
 * enclosing object first; between equals, the one added last (a device integrator's over the
 * built-in). The answer depends only on the providers' object lists, so it is kept as indices
 * shared by every device whose providers have the same shape: a fleet of thousands keeps one
 * table, not one each.
 */
import type { Provider } from './provider.js';

const slotCaches = new Map<string, Map<string, number[]>>();
/** One array per distinct combination of slots, so a device can keep its provider lists per combination. */
const internedSlots = new Map<string, number[]>();
const NO_PROVIDERS: Provider[] = [];

function slotCacheFor(providers: readonly Provider[]): Map<string, number[]> {
  const signature = providers.map((p) => p.objects.join(',')).join('|');
  let cache = slotCaches.get(signature);
  if (!cache) {
    cache = new Map();
    slotCaches.set(signature, cache);
  }
  return cache;
}

export class ProviderRouting {
  /** Own copy: later providers come through add, which keeps the lookup right. */
  readonly providers: Provider[];
  private slotCache: Map<string, number[]>;
  /** This device's providers per slot combination (a handful), so lookups allocate nothing. */
  private readonly lists = new Map<readonly number[], Provider[]>();

  constructor(providers: readonly Provider[]) {
    this.providers = [...providers];
    this.slotCache = slotCacheFor(this.providers);
  }

  add(provider: Provider): void {
    this.providers.push(provider);
    this.slotCache = slotCacheFor(this.providers);
    this.lists.clear();
  }

  /** The providers answering for a schema path, in the order they are asked. */
  providersFor(schemaPath: string): Provider[] {
    // Every read goes through here: the answer per schema path is kept (shared, see above).
    let slots = this.slotCache.get(schemaPath);
    if (!slots) {
      slots = this.match(schemaPath);
      this.slotCache.set(schemaPath, slots);
    }
    let list = this.lists.get(slots);
    if (!list) {
      list = slots.length === 0 ? NO_PROVIDERS : slots.map((i) => this.providers[i]!);
      this.lists.set(slots, list);
    }
    return list;
  }

  private match(schemaPath: string): number[] {
    const matches: { i: number; length: number }[] = [];
    this.providers.forEach((p, i) => {
      let length = -1;
      for (const o of p.objects) if (o.length > length && schemaPath.startsWith(o)) length = o.length;
      if (length >= 0) matches.push({ i, length });
    });
    const slots = matches.sort((a, b) => b.length - a.length || b.i - a.i).map((m) => m.i);
    const key = slots.join(',');
    let interned = internedSlots.get(key);
    if (!interned) {
      interned = slots;
      internedSlots.set(key, interned);
    }
    return interned;
  }
}
