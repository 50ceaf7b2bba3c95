/**
 * The Dockerfile, built and run for real where a container engine works here (Debian's buildah,
 * chroot isolation: see ../shared/CONTAINERS.md). No registry is reachable, so the base image is
 * made locally from this machine's node, npm, their libraries and busybox; users build on
 * node:20-bookworm-slim. The image then runs the agent as a non-root user, which bootstraps at
 * the test ACS and keeps its state in the volume's directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestAcs } from '../../src/acs/test-acs.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { tempDir } from '../helpers/agent-harness.js';
import { buildah, containersConf, makeBaseImage } from '../helpers/container-base.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'building images with buildah here needs root';
  if (spawnSync('buildah', ['--version']).status !== 0) return 'buildah is not installed (Debian package buildah)';
  if (spawnSync('busybox', ['--help']).status === null) return 'busybox is not installed (Debian package busybox-static), needed for the local base image';
  // The build runs npm ci inside the image: without the registry it cannot, and that is no defect of the image.
  if (spawnSync('npm', ['ping'], { timeout: 30_000, stdio: 'ignore' }).status !== 0)
    return 'the npm registry cannot be reached (npm ping): the image build runs npm ci';
  return undefined;
}

/** Stops a process group (buildah run and the agent it started inside the container), and waits for its leader to exit. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const killed = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(killed);
}

test('the Dockerfile builds (multi-stage, on a given base) and the image runs the agent as a non-root user with its state in the volume', {
  skip: skipReason(),
  timeout: 900_000,
}, async () => {
  const dir = tempDir('image-');
  const env = containersConf(dir);
  const image = 'localhost/cwmp-agent:test';
  const acs = new TestAcs();
  const url = await acs.listen();
  let container: string | undefined;
  try {
    const base = makeBaseImage(dir, env);
    const bud = [
      'bud',
      '--format',
      'docker',
      '--isolation',
      'chroot',
      '--layers=false',
      '--build-arg',
      `BASE=${base}`,
      '-t',
      image,
      '-f',
      path.join(repo, 'Dockerfile'),
      repo,
    ];
    // The README's build command is this one, less what this sandbox needs (isolation, a local base).
    const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
    const documented = /^buildah bud ([^#\n]*)/m.exec(readme)![1]!.trim().split(/\s+/);
    documented.forEach((token, i) => {
      if (!token.startsWith('--')) return;
      const value = documented[i + 1];
      const at = bud.indexOf(token);
      assert.ok(at > 0, `the README's ${token} is in the build the test runs`);
      if (value !== undefined && !value.startsWith('-')) assert.equal(bud[at + 1], value, `the README's ${token} ${value}`);
    });
    buildah(bud, env);
    const config = JSON.parse(buildah(['inspect', '--type', 'image', image], env)) as {
      OCIv1: { config: { User: string; Volumes?: Record<string, unknown>; Entrypoint: string[] } };
      Docker?: { config?: { Healthcheck?: unknown } };
    };
    assert.equal(config.OCIv1.config.User, '1000:1000');
    assert.ok(config.Docker?.config?.Healthcheck, "the HEALTHCHECK is in the image (as the README's build keeps it)");
    assert.ok(config.OCIv1.config.Volumes?.['/var/lib/cwmp-agent'], 'the state directory is a volume');
    container = buildah(['from', image], env).trim();
    const version = buildah(['run', '--isolation', 'chroot', container, '--', 'node', '/opt/cwmp-agent/bin/cwmp-agent', '--version'], env).trim();
    assert.equal(version, (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version);
    assert.equal(buildah(['run', '--isolation', 'chroot', container, '--', 'id', '-u'], env).trim(), '1000', 'not root');
    // The agent itself, from the image, against the test ACS on this machine's loopback.
    const serial = simulatedIdentity('cwmp-agent').serialNumber;
    // The volume, as a user mounts it: a directory of the host owned by the image's user.
    const volume = path.join(dir, 'state');
    fs.mkdirSync(volume, { mode: 0o700 });
    fs.chownSync(volume, 1000, 1000);
    const run = spawn(
      'buildah',
      [
        'run',
        '--isolation',
        'chroot',
        '--volume',
        `${volume}:/var/lib/cwmp-agent`,
        container,
        '--',
        'node',
        '/opt/cwmp-agent/bin/cwmp-agent',
        'run',
        '--acs-url',
        url,
        '--cr-port',
        '0',
        '--log-level',
        'warn',
      ],
      { env, stdio: 'ignore', detached: true },
    );
    try {
      await acs.waitFor(() => acs.completedSessions(serial).length >= 1, 60_000);
      assert.deepEqual(
        acs
          .completedSessions(serial)[0]!
          .events.map((e) => e.code)
          .sort(),
        ['0 BOOTSTRAP', '1 BOOT'],
      );
    } finally {
      await stopGroup(run);
    }
    const stateFile = path.join(volume, 'agent-state.json');
    assert.ok(fs.existsSync(stateFile), 'state saved in the volume');
    assert.equal(fs.statSync(stateFile).uid, 1000, 'written by the unprivileged user');
  } finally {
    if (container) spawnSync('buildah', ['rm', container], { env });
    spawnSync('buildah', ['rmi', '-f', image, 'localhost/cwmp-agent-test-base:20'], { env });
    await acs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
