/** A fleet for tests: in this process, on loopback, quiet, booting fast; anything else as given. */
import { pino } from 'pino';
import { Fleet, type FleetOptions } from '../../src/fleet/fleet.js';
import { loadProfile } from '../../src/fleet/profile.js';
import { systemClock } from '../../src/runtime/clock.js';

export function testFleet(acsUrl: string, count: number, extra: Partial<FleetOptions> & { profileName?: string } = {}): Fleet {
  const { profileName, ...rest } = extra;
  return new Fleet({
    count,
    profile: loadProfile(profileName ?? 'stb'),
    acsUrl,
    cwmpVersion: '1.4',
    connectionRequest: { port: 0, address: '127.0.0.1', password: 'pw' },
    bootWindowSeconds: 0.5,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: 'silent' }),
    ...rest,
  });
}
