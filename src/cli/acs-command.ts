/** `cwmp-agent acs`: the bundled test ACS on its own. */
import { TestAcs } from '../acs/test-acs.js';

export async function runAcs(opts: { port: number; host: string; maxSessions?: number; lightweightPort?: number }): Promise<void> {
  const acs = new TestAcs({ port: opts.port, host: opts.host, maxSessions: opts.maxSessions, api: true, provisionConnectionRequestCredentials: true });
  const url = await acs.listen();
  console.log(`test ACS listening at ${url}`);
  console.log(`JSON API at ${url.replace(/\/acs$/, '/api')} (devices, rpcs, connection-request, sessions)`);
  if (opts.lightweightPort !== undefined) {
    const udp = await acs.listenLightweightNotifications({
      port: opts.lightweightPort,
      onAccepted: (r) =>
        console.log(`lightweight notification from ${r.device}: ${r.notification.params.map((p) => `${p.name}=${JSON.stringify(p.value)}`).join(' ')}`),
    });
    console.log(`UDP lightweight notifications received on ${opts.host}:${udp}`);
  }
}
