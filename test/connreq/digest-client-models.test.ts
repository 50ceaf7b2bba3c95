/**
 * HTTP connection requests from each kind of Digest client that ACSes really ship, against the
 * listener's shipped default: one that reads only the first challenge, one that merges every
 * challenge into one and always computes MD5 (as GenieACS does), an RFC 7616 client choosing
 * SHA-256, curl, and Python's urllib. Nothing weaker than what was offered gets in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { HttpConnectionRequestServer } from '../../src/connreq/http-server.js';
import { DigestClient, parseChallenges } from '../../src/cwmp/http-auth.js';

interface Answer {
  status: number;
  /** Each WWW-Authenticate header as sent (Node joins repeated headers in res.headers). */
  challenges: string[];
}

function get(url: string, authorization?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: authorization ? { Authorization: authorization } : {}, agent: false }, (res) => {
      res.resume();
      const challenges = res.rawHeaders.filter((_v, i, a) => i % 2 === 1 && a[i - 1]!.toLowerCase() === 'www-authenticate');
      res.on('end', () => resolve({ status: res.statusCode ?? 0, challenges }));
    });
    req.on('error', reject);
  });
}

async function listener(digestAlgorithms?: readonly ('MD5' | 'SHA-256')[]) {
  const server = new HttpConnectionRequestServer({ address: '127.0.0.1', port: 0, digestAlgorithms });
  let accepted = 0;
  server.addRoute('/cr', { credentials: () => ({ username: 'acs', password: 'cr-secret' }), onConnectionRequest: () => accepted++ });
  const port = await server.listen();
  return { url: `http://127.0.0.1:${port}/cr`, accepted: () => accepted, close: () => server.close() };
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * The merging client, written apart from ours: all challenges joined into one header, the last
 * value of each parameter kept, MD5 always, and the `algorithm` it parsed last echoed back.
 */
function mergingClientAuthorization(challenges: string[], uri: string): string {
  const params: Record<string, string> = {};
  for (const m of challenges.join(', ').matchAll(/([a-z]+)=(?:"([^"]*)"|([^\s,]+))/gi)) params[m[1]!.toLowerCase()] = m[2] ?? m[3]!;
  const cnonce = '0a4f113b';
  const nc = '00000001';
  const ha1 = md5(`acs:${params['realm']}:cr-secret`);
  const ha2 = md5(`GET:${uri}`);
  const response = md5(`${ha1}:${params['nonce']}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="acs", realm="${params['realm']}", nonce="${params['nonce']}", uri="${uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", opaque="${params['opaque']}", algorithm=${params['algorithm']}`;
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function available(command: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${command}`])).code === 0;
}

test('the shipped default offers MD5 first, then SHA-256, with one nonce', async () => {
  const l = await listener();
  try {
    const { status, challenges } = await get(l.url);
    assert.equal(status, 401);
    assert.equal(challenges.length, 2);
    assert.match(challenges[0]!, /algorithm=MD5\b/);
    assert.match(challenges[1]!, /algorithm=SHA-256\b/);
  } finally {
    await l.close();
  }
});

test('a client that reads only the first challenge (MD5) gets through', async () => {
  const l = await listener();
  try {
    const first = parseChallenges((await get(l.url)).challenges[0]!)[0]!;
    const client = new DigestClient(first, 'acs', 'cr-secret', () => 'c0ffee00c0ffee00');
    assert.match(client.authorization('GET', '/cr'), /algorithm=MD5\b/);
    assert.equal((await get(l.url, client.authorization('GET', '/cr'))).status, 200);
    assert.equal(l.accepted(), 1);
  } finally {
    await l.close();
  }
});

test('a client that merges the challenges and answers MD5 labelled SHA-256 gets through', async () => {
  const l = await listener();
  try {
    const authorization = mergingClientAuthorization((await get(l.url)).challenges, '/cr');
    assert.match(authorization, /algorithm=SHA-256/, 'the model echoes the last algorithm, as the real client does');
    assert.equal((await get(l.url, authorization)).status, 200);
    assert.equal(l.accepted(), 1);
  } finally {
    await l.close();
  }
});

test('an RFC 7616 client chooses SHA-256 and gets through', async () => {
  const l = await listener();
  try {
    const chosen = DigestClient.choose(parseChallenges((await get(l.url)).challenges))!;
    assert.equal(chosen.params['algorithm'], 'SHA-256');
    const client = new DigestClient(chosen, 'acs', 'cr-secret', () => 'c0ffee00c0ffee00');
    assert.equal((await get(l.url, client.authorization('GET', '/cr'))).status, 200);
    assert.equal(l.accepted(), 1);
  } finally {
    await l.close();
  }
});

test('curl --digest gets through', async (t) => {
  if (!(await available('curl'))) return t.skip('curl is not installed');
  const l = await listener();
  try {
    const r = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--digest', '-u', 'acs:cr-secret', l.url]);
    assert.equal(r.stdout, '200', r.stderr);
    assert.equal(l.accepted(), 1);
  } finally {
    await l.close();
  }
});

test("Python's urllib gets through", async (t) => {
  if (!(await available('python3'))) return t.skip('python3 is not installed');
  const l = await listener();
  const script = [
    'import sys, urllib.request',
    'passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()',
    "passwords.add_password(None, sys.argv[1], 'acs', 'cr-secret')",
    'h = urllib.request.HTTPDigestAuthHandler(passwords)',
    'print(urllib.request.build_opener(h).open(sys.argv[1]).status)',
  ].join('\n');
  try {
    const r = await run('python3', ['-c', script, l.url]);
    assert.equal(r.stdout.trim(), '200', r.stderr);
    assert.equal(l.accepted(), 1);
  } finally {
    await l.close();
  }
});

test('nothing weaker than what was offered: with SHA-256 alone, an MD5 answer is refused however it is labelled', async () => {
  const l = await listener(['SHA-256']);
  try {
    const { challenges } = await get(l.url);
    assert.equal(challenges.length, 1);
    const labelledSha = mergingClientAuthorization(challenges, '/cr');
    assert.equal((await get(l.url, labelledSha)).status, 401);
    assert.equal((await get(l.url, labelledSha.replace('algorithm=SHA-256', 'algorithm=MD5'))).status, 401);
    const strong = new DigestClient(parseChallenges(challenges)[0]!, 'acs', 'cr-secret', () => 'c0ffee00c0ffee00');
    assert.equal((await get(l.url, strong.authorization('GET', '/cr'))).status, 200);
    assert.equal(l.accepted(), 1);
  } finally {
    await l.close();
  }
});
