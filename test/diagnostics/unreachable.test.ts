/**
 * The failure paths of IPPing and TraceRoute on a real network: two namespaces the test builds,
 * "cpe" (10.252.1.2, default route via the router) and "router" (10.252.1.1, no route anywhere
 * else). A host beyond the router is unreachable (the router says so); from a namespace with no
 * route at all, the network itself is unreachable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inNs, netnsSkipReason, sh } from '../helpers/netns.js';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/diagnostics');
const skip =
  netnsSkipReason() ?? (spawnSync('sh', ['-c', 'command -v ping && command -v traceroute']).status === 0 ? undefined : 'ping or traceroute is not installed');

/** Runs one diagnostic inside a namespace, as the agent would there. */
function runIn(ns: string, kind: 'ping' | 'traceroute', input: object): Record<string, unknown> {
  const script =
    kind === 'ping'
      ? `const { runPing } = await import('${dist}/ip-ping.js'); console.log(JSON.stringify(await runPing(${JSON.stringify(input)}, new AbortController().signal)));`
      : `const { runTraceRoute } = await import('${dist}/traceroute.js'); console.log(JSON.stringify(await runTraceRoute(${JSON.stringify(input)}, new AbortController().signal)));`;
  const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out) as Record<string, unknown>;
}

test('IPPing and TraceRoute towards unreachable hosts: failures counted, the router named, no crash', { skip, timeout: 60_000 }, () => {
  const tag = String(process.pid % 10000);
  const cpe = `cwmp-u-cpe-${tag}`;
  const router = `cwmp-u-rtr-${tag}`;
  const isolated = `cwmp-u-iso-${tag}`;
  try {
    for (const ns of [cpe, router, isolated]) {
      sh('ip', 'netns', 'add', ns);
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    sh('ip', 'link', 'add', `uc${tag}`, 'netns', cpe, 'type', 'veth', 'peer', 'name', `ur${tag}`, 'netns', router);
    inNs(cpe, 'ip', 'addr', 'add', '10.252.1.2/24', 'dev', `uc${tag}`);
    inNs(cpe, 'ip', 'link', 'set', `uc${tag}`, 'up');
    inNs(cpe, 'ip', 'route', 'add', 'default', 'via', '10.252.1.1');
    inNs(router, 'ip', 'addr', 'add', '10.252.1.1/24', 'dev', `ur${tag}`);
    inNs(router, 'ip', 'link', 'set', `ur${tag}`, 'up');
    inNs(router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    // Unreachable answers are rate-limited by default; the ping below would use up the router's allowance.
    inNs(router, 'sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0');

    const ping = { protocolVersion: 'IPv4', repetitions: 2, timeoutMs: 500, dataBlockSize: 56, dscp: 0 };
    const reachable = runIn(cpe, 'ping', { ...ping, host: '10.252.1.1' });
    assert.equal(reachable['state'], 'Complete');
    assert.equal(reachable['successCount'], 2);

    const beyond = runIn(cpe, 'ping', { ...ping, host: '10.252.9.9' });
    assert.equal(beyond['state'], 'Complete', 'no answer is a result, not an error');
    assert.equal(beyond['successCount'], 0);
    assert.equal(beyond['failureCount'], 2);

    const noRoute = runIn(isolated, 'ping', { ...ping, host: '10.252.9.9' });
    assert.equal(noRoute['state'], 'Error_NoRouteToHost');

    const trace = runIn(cpe, 'traceroute', { host: '10.252.9.9', protocolVersion: 'IPv4', tries: 1, timeoutMs: 500, dataBlockSize: 38, dscp: 0, maxHops: 3 });
    assert.equal(trace['state'], 'Error_MaxHopCountExceeded', 'the destination is never reached');
    const hops = trace['hops'] as { hostAddress: string; errorCode: number }[];
    assert.equal(hops[0]?.hostAddress, '10.252.1.1', 'the router is the first hop');
  } finally {
    for (const ns of [cpe, router, isolated]) spawnSync('ip', ['netns', 'del', ns]);
  }
});
