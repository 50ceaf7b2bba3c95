/** Plausible, deterministic device status for the simulated device: memory, CPU load and a few processes. */
import { seedDigest } from './seed-digest.js';
import type { Provider } from '../datamodel/provider.js';
import { statusProvider } from './status-provider.js';

const PROCESSES = ['init', 'cwmpd', 'dropbear', 'dnsmasq', 'mediaserver', 'watchdog'];

export function simulatedStatusProvider(seed: string, upSeconds: () => number, now: () => number): Provider {
  const h = seedDigest(seed);
  const total = 262_144 * (1 + (h[0]! % 4)); // 256 MiB to 1 GiB
  const wave = (period: number, phase: number): number => (Math.sin((upSeconds() / period) * 2 * Math.PI + phase) + 1) / 2;
  return statusProvider({
    now,
    memoryKiB: () => ({ total, free: Math.round(total * (0.3 + 0.4 * wave(600, h[1]!))) }),
    cpuUsagePercent: () => 5 + 60 * wave(120, h[2]!),
    processes: () =>
      PROCESSES.map((command, i) => ({
        pid: i === 0 ? 1 : 100 + i * 37 + (h[3 + i]! % 30),
        command,
        sizeKiB: 512 + (h[10 + i]! % 64) * 256,
        priority: 20,
        cpuTimeMs: upSeconds() * (10 + (h[20 + i]! % 90)),
        state: i === 4 && wave(60, i) > 0.5 ? 'Running' : 'Sleeping',
      })),
  });
}
