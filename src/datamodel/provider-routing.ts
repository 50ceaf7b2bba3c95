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

/**
 * A small number per distinct object list: a device's signature is then a short string of them,
 * not every object path joined (that string was 1.8 KB made per fleet device). Most lists are
 * module constants, so the WeakMap answers without joining them again.
 */
const objectListIds = new WeakMap<readonly string[], number>();
const idsByContent = new Map<string, number>();
function objectListId(objects: readonly string[]): number {
  let id = objectListIds.get(objects);
  if (id === undefined) {
    const content = objects.join(',');
    id = idsByContent.get(content);
    if (id === undefined) {
      id = idsByContent.size;
      idsByContent.set(content, id);
    }
    objectListIds.set(objects, id);
  }
  return id;
}

function slotCacheFor(providers: readonly Provider[]): Map<string, number[]> {
  let signature = '';
  for (const p of providers) signature += `${objectListId(p.objects)}|`;
  let cache = slotCaches.get(signature);
  if (!cache) {
    cache = new Map();
    slotCaches.set(signature, cache);
  }
  return cache;
}

export class ProviderRouting {
  /**
   * The device's providers, in the order added. Never changed in place (add makes a new
   * array), so the caller's array is used as it is: a fleet device keeps no copy.
   */
  providers: readonly Provider[];
  private slotCache: Map<string, number[]>;

  constructor(providers: readonly Provider[]) {
    this.providers = providers;
    this.slotCache = slotCacheFor(this.providers);
  }

  add(provider: Provider): void {
    this.providers = this.providers.concat([provider]);
    this.slotCache = slotCacheFor(this.providers);
  }

  /**
   * Indices into `providers` of those answering for a schema path, in the order they are asked.
   * Every read goes through here: the answer per schema path is kept, shared (see above), and
   * the caller indexes `providers` itself, so a lookup allocates nothing and a device keeps no
   * list of its own per combination.
   */
  slotsFor(schemaPath: string): readonly number[] {
    let slots = this.slotCache.get(schemaPath);
    if (!slots) {
      slots = this.match(schemaPath);
      this.slotCache.set(schemaPath, slots);
    }
    return slots;
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
