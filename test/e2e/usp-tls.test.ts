/**
 * USP over TLS, verified by default (TP-469 7.9 and 11.3): the agent reaches a wss:// Controller
 * and an mqtts:// broker (Debian's mosquitto) whose certificates its configured CA signs, and
 * refuses both when they are signed by another CA: no session, no Record sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { MqttMtp } from '../../src/mtp/mqtt-mtp.js';
import { WebSocketMtp } from '../../src/mtp/websocket-mtp.js';
import { tempDir } from '../helpers/agent-harness.js';
import { mosquittoMissing } from '../helpers/mosquitto.js';
import { commandMissing } from '../helpers/servers.js';
import { makeTestPki } from '../helpers/test-ca.js';
import { until } from '../helpers/until.js';

const skipTls = commandMissing('openssl') ?? false;

/** A logger that keeps the messages it is given (the refusals are told as warnings). */
function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) as unknown as Logger;
  return { logger, lines };
}

test('wss://: the configured CA lets the agent in; a certificate from another CA is refused', { skip: skipTls, timeout: 60_000 }, async () => {
  const pki = makeTestPki();
  const server = https.createServer({ key: pki.serverKey, cert: pki.serverCert });
  const wss = new WebSocketServer({ server, handleProtocols: (p) => (p.has('v1.usp') ? 'v1.usp' : false) });
  let sessions = 0;
  wss.on('connection', () => void sessions++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}/usp`;
  const trusted = recordingLogger();
  const good = new WebSocketMtp({ url, endpointId: 'proto::tls-agent', tls: { ca: pki.caCert }, retryMinimumWaitMs: 50, logger: trusted.logger });
  const untrusted = recordingLogger();
  const bad = new WebSocketMtp({ url, endpointId: 'proto::tls-agent-2', tls: { ca: pki.otherCaCert }, retryMinimumWaitMs: 50, logger: untrusted.logger });
  try {
    good.start();
    await until(() => (good.connected ? true : undefined), 'the trusted session');
    bad.start();
    await until(() => untrusted.lines.find((l) => l['msg'] === 'USP WebSocket error'), 'the refusal');
    assert.match(String(untrusted.lines.find((l) => l['msg'] === 'USP WebSocket error')!['err']), /certificate|self.signed|verify/i);
    assert.equal(bad.connected, false);
    assert.equal(sessions, 1, 'only the trusted agent got a session');
  } finally {
    await good.stop();
    await bad.stop();
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => server.close(r));
  }
});

test('mqtts://: the configured CA lets the agent connect to mosquitto over TLS; another CA is refused', {
  skip: skipTls || mosquittoMissing() || false,
  timeout: 60_000,
}, async () => {
  const pki = makeTestPki();
  const dir = tempDir('mosquitto-tls-');
  // Readable by the user mosquitto drops to when started as root.
  for (const [name, body] of [
    ['ca.crt', pki.caCert],
    ['server.crt', pki.serverCert],
    ['server.key', pki.serverKey],
  ] as const)
    fs.writeFileSync(path.join(dir, name), body, { mode: 0o644 });
  fs.chmodSync(dir, 0o755);
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  fs.writeFileSync(
    path.join(dir, 'mosquitto.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\ncafile ${dir}/ca.crt\ncertfile ${dir}/server.crt\nkeyfile ${dir}/server.key\n`,
  );
  const broker = spawn(['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => fs.existsSync(p)) ?? 'mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], {
    stdio: 'ignore',
  });
  const trusted = recordingLogger();
  const untrusted = recordingLogger();
  const url = `mqtts://127.0.0.1:${port}`;
  const good = new MqttMtp({ url, clientId: 'tls-good', agentTopic: 'usp/agent/tls', tls: { ca: pki.caCert }, reconnectMs: 100, logger: trusted.logger });
  const bad = new MqttMtp({ url, clientId: 'tls-bad', agentTopic: 'usp/agent/tls2', tls: { ca: pki.otherCaCert }, reconnectMs: 100, logger: untrusted.logger });
  try {
    good.start();
    await until(() => trusted.lines.find((l) => l['msg'] === 'USP MQTT connected'), 'the TLS connection', 20_000);
    assert.equal(good.connected, true);
    bad.start();
    await until(() => untrusted.lines.find((l) => l['msg'] === 'USP MQTT error'), 'the refusal', 20_000);
    assert.match(String(untrusted.lines.find((l) => l['msg'] === 'USP MQTT error')!['err']), /certificate|self.signed|verify/i);
    assert.equal(bad.connected, false);
  } finally {
    await good.stop();
    await bad.stop();
    const exited = new Promise((r) => broker.once('exit', r));
    broker.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
