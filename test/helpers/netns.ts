/** Network namespaces joined by veth pairs, for tests that need a real NAT between hosts. */
import { execFileSync, spawnSync } from 'node:child_process';

export function netnsSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  for (const cmd of ['ip', 'nft', 'turnserver']) {
    if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) return `${cmd} is not installed`;
  }
  const probe = `cwmp-probe-${process.pid}`;
  const ok = spawnSync('ip', ['netns', 'add', probe]).status === 0;
  spawnSync('ip', ['netns', 'del', probe]);
  return ok ? undefined : 'cannot create network namespaces here';
}

export function sh(...args: string[]): void {
  execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function inNs(ns: string, ...args: string[]): void {
  sh('ip', 'netns', 'exec', ns, ...args);
}

/**
 * cpe (10.253.1.2) ── nat (10.253.1.1 | 10.253.2.1, masquerade) ── acs (10.253.2.2).
 * The acs side has no route back to the cpe network: only the NAT's mapping reaches it.
 */
export function buildNatTopology(tag: string): { cpe: string; nat: string; acs: string; destroy: () => void } {
  const cpe = `cwmp-cpe-${tag}`;
  const nat = `cwmp-nat-${tag}`;
  const acs = `cwmp-acs-${tag}`;
  const destroy = (): void => {
    for (const ns of [cpe, nat, acs]) spawnSync('ip', ['netns', 'del', ns]);
  };
  try {
    for (const ns of [cpe, nat, acs]) {
      sh('ip', 'netns', 'add', ns);
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    sh('ip', 'link', 'add', `c${tag}`, 'netns', cpe, 'type', 'veth', 'peer', 'name', `n${tag}`, 'netns', nat);
    sh('ip', 'link', 'add', `a${tag}`, 'netns', acs, 'type', 'veth', 'peer', 'name', `m${tag}`, 'netns', nat);
    inNs(cpe, 'ip', 'addr', 'add', '10.253.1.2/24', 'dev', `c${tag}`);
    inNs(cpe, 'ip', 'link', 'set', `c${tag}`, 'up');
    inNs(cpe, 'ip', 'route', 'add', 'default', 'via', '10.253.1.1');
    inNs(nat, 'ip', 'addr', 'add', '10.253.1.1/24', 'dev', `n${tag}`);
    inNs(nat, 'ip', 'addr', 'add', '10.253.2.1/24', 'dev', `m${tag}`);
    inNs(nat, 'ip', 'link', 'set', `n${tag}`, 'up');
    inNs(nat, 'ip', 'link', 'set', `m${tag}`, 'up');
    inNs(nat, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
    inNs(nat, 'nft', `add table ip nat; add chain ip nat post { type nat hook postrouting priority 100 ; } ; add rule ip nat post oifname m${tag} masquerade`);
    inNs(acs, 'ip', 'addr', 'add', '10.253.2.2/24', 'dev', `a${tag}`);
    inNs(acs, 'ip', 'link', 'set', `a${tag}`, 'up');
  } catch (err) {
    destroy();
    throw err;
  }
  return { cpe, nat, acs, destroy };
}
