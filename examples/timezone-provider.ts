/**
 * A worked example of binding parameters to a real device: Device.Time.LocalTimeZone lives in
 * a file (as /etc/TZ does on many embedded Linux systems). Reads come from the file, ACS writes
 * go to it, and values the device cannot take are refused before anything changes.
 */
import fs from 'node:fs';
import type { Provider } from 'cwmp-agent';

const TZ = 'Device.Time.LocalTimeZone';

export function timezoneFileProvider(file: string): Provider {
  return {
    objects: ['Device.Time.'],
    get: (path) => (path === TZ && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined),
    // POSIX TZ strings such as "CET-1CEST,M3.5.0,M10.5.0/3": refuse what could not be one.
    validate: (path, value) => (path === TZ && !/^[A-Za-z<>+\-0-9,./:]{3,64}$/.test(value) ? 'not a POSIX TZ string' : undefined),
    set: (path, value) => {
      if (path !== TZ) return;
      const tmp = `${file}.tmp`;
      fs.writeFileSync(tmp, `${value}\n`);
      fs.renameSync(tmp, file);
    },
  };
}

/* Using it: the simulated device's own providers plus this one.

   import { Agent, SimulatedDevice, FileAgentStateStore, FileModelStore, systemClock } from 'cwmp-agent';
   import { pino } from 'pino';

   const device = new SimulatedDevice('my-device', () => Date.now());
   device.providers.push(timezoneFileProvider('/etc/TZ'));
   const agent = new Agent({
     acsUrl: 'https://acs.example.net/', cwmpVersion: '1.4', device,
     stateStore: new FileAgentStateStore('/var/lib/cwmp-agent'), modelStore: new FileModelStore('/var/lib/cwmp-agent'),
     clock: systemClock, random: Math.random, logger: pino(),
   });
   agent.start();
*/
