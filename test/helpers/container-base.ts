/** A local base image for container tests (no registry is reachable here), and buildah run the way this sandbox allows. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A containers.conf that lets buildah run in this sandbox (no rlimits to set). */
export function containersConf(dir: string): NodeJS.ProcessEnv {
  const conf = path.join(dir, 'containers.conf');
  fs.writeFileSync(conf, '[containers]\ndefault_ulimits = []\n');
  return { ...process.env, CONTAINERS_CONF: conf };
}

export function buildah(args: string[], env: NodeJS.ProcessEnv, timeout = 600_000): string {
  return execFileSync('buildah', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout, maxBuffer: 64 * 1024 * 1024 });
}

/** localhost/cwmp-agent-test-base: node 20 and npm from this machine, their libraries, busybox as the shell, CA certificates. */
export function makeBaseImage(dir: string, env: NodeJS.ProcessEnv): string {
  const root = path.join(dir, 'rootfs');
  const copy = (from: string, to = from): void => {
    fs.mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    fs.cpSync(from, path.join(root, to), { recursive: true, dereference: true });
  };
  const node = process.execPath;
  copy(node, '/usr/bin/node');
  for (const lib of execFileSync('ldd', [node], { encoding: 'utf8' }).matchAll(/(\/\S+\.so[.\d]*)/g)) copy(lib[1]!);
  const npmDir = path.resolve(path.dirname(fs.realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim())), '..');
  copy(npmDir, '/usr/lib/node_modules/npm');
  fs.writeFileSync(path.join(root, 'usr/bin/npm'), '#!/bin/sh\nexec /usr/bin/node /usr/lib/node_modules/npm/bin/npm-cli.js "$@"\n', { mode: 0o755 });
  copy(fs.realpathSync(execFileSync('which', ['busybox'], { encoding: 'utf8' }).trim()), '/bin/busybox');
  for (const tool of ['sh', 'mkdir', 'chown', 'chmod', 'cp', 'mv', 'rm', 'ls', 'cat', 'env', 'id', 'ln', 'true'])
    fs.symlinkSync('busybox', path.join(root, 'bin', tool));
  copy('/etc/ssl/certs/ca-certificates.crt');
  // Scripts' "#!/usr/bin/env node" (npm's bin links) need env where Debian has it.
  fs.symlinkSync('/bin/busybox', path.join(root, 'usr/bin/env'));
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
  for (const d of ['tmp', 'root', 'home/node']) fs.mkdirSync(path.join(root, d), { recursive: true, mode: 0o1777 });
  const image = 'localhost/cwmp-agent-test-base:20';
  const container = buildah(['from', 'scratch'], env).trim();
  try {
    buildah(['copy', container, `${root}/`, '/'], env);
    buildah(['config', '--env', 'PATH=/usr/local/bin:/usr/bin:/bin', '--env', 'NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt', container], env);
    buildah(['commit', '--quiet', container, image], env);
  } finally {
    spawnSync('buildah', ['rm', container], { env });
  }
  return image;
}
