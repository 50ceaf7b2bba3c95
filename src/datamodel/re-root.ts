/**
 * Providers written for TR-181 ("Device.DeviceInfo.MemoryStatus.", ...) serve a device whose
 * root object is another (TR-098's "InternetGatewayDevice.") where the object below the root is
 * the same in both models: DeviceInfo, ManagementServer, Time. The wrapper translates paths
 * both ways; a provider that names the other root already is used as it is.
 */
import type { Provider } from './provider.js';

const DEVICE = 'Device.';

/** Wrappers made once per provider and root: a fleet's devices share their providers, and so their wrappers. */
const wrappers = new WeakMap<Provider, Map<string, Provider>>();

export function reRootProviders(providers: readonly Provider[], root: string): Provider[] {
  if (root === DEVICE) return providers.slice();
  return providers.map((p) => {
    if (!p.objects.every((o) => o.startsWith(DEVICE))) return p;
    let byRoot = wrappers.get(p);
    if (!byRoot) wrappers.set(p, (byRoot = new Map()));
    let w = byRoot.get(root);
    if (!w) byRoot.set(root, (w = reRooted(p, root)));
    return w;
  });
}

function reRooted(p: Provider, root: string): Provider {
  const toDevice = (path: string): string => DEVICE + path.slice(root.length);
  const toRoot = (path: string): string => (path.startsWith(DEVICE) ? root + path.slice(DEVICE.length) : path);
  const wrapped: Provider = {
    objects: p.objects.map(toRoot),
    get: (path) => p.get(toDevice(path)),
  };
  // Only the optional methods the provider has, so the model still sees which it lacks (add, delete).
  if (p.instances) wrapped.instances = (tablePath) => p.instances!(toDevice(tablePath));
  if (p.validate) wrapped.validate = (path, value) => p.validate!(toDevice(path), value);
  if (p.set) wrapped.set = (path, value) => p.set!(toDevice(path), value);
  if (p.add) wrapped.add = (tablePath) => p.add!(toDevice(tablePath));
  if (p.delete) wrapped.delete = (objectPath) => p.delete!(toDevice(objectPath));
  if (p.subscribe) wrapped.subscribe = (changed) => p.subscribe!((paths) => changed(paths.map(toRoot)));
  if (p.attach) wrapped.attach = (read) => p.attach!((path) => read(toRoot(path)));
  if (p.factoryDefault) wrapped.factoryDefault = (path) => p.factoryDefault!(toDevice(path));
  return wrapped;
}
