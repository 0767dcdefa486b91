// Each case the scenario promises is present in the committed files themselves: these checks read
// the logs (text with plain string handling, .evt/.evtx through libevt/libevtx), not the simulation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oracleEvents } from '../../fixtures/generate/recount.js';

const dir = fileURLToPath(new URL('../../fixtures/scenario/', import.meta.url));
const truth = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8'));
const look: Record<string, string> = truth.lookalikes;

function files(sub: string): string[] {
  const root = join(dir, sub);
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...files(join(sub, name)));
    else out.push(p);
  }
  return out;
}

function lines(sub: string): string[] {
  return files(sub).flatMap((f) => readFileSync(f, 'utf8').replace(/^\ufeff/, '').split('\r\n'));
}

interface Row {
  ip: string;
  dir: 'cmd' | 'resp' | 'in';
  verb: string;
  text: string;
  status: string;
}

// IIS W3C rows of EXCH01 with the full field set: c-ip is field 3, cs-username 4, cs-method 9, cs-uri-query 11, sc-status 12.
const iis: Row[] = lines('EXCH01/SMTPSVC1')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const f = l.split(' ');
    const dir = f[3] === 'OutboundConnectionCommand' ? 'cmd' : f[3] === 'OutboundConnectionResponse' ? 'resp' : 'in';
    return { ip: f[2], dir, verb: f[8], text: f[10].replace(/\+/g, ' '), status: f[11] };
  });

/** Outbound rows per remote IP, split into connections at each banner. */
function connections(ip: string): Row[][] {
  const out: Row[][] = [];
  for (const r of iis) {
    if (r.ip !== ip || r.dir === 'in') continue;
    if (r.dir === 'resp' && (r.text.startsWith('220') || (r.text.startsWith('421') && out.at(-1)?.at(-1)?.dir !== 'cmd'))) out.push([]);
    out.at(-1)!.push(r);
  }
  return out;
}

const tracking = lines('EXCH01/EXCH01.log').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
const msgtrk = lines('HUB01/MessageTracking');
const sendLog = lines('HUB01/ProtocolLog');
const { events } = oracleEvents([join(dir, 'ISA2K-GW/Application.evt'), join(dir, 'ISA06-EDGE/Application.evtx')]);
const smtpEvt = events.filter((e) => e.source === 'SmtpEvt' && e.id === 20031);

function mxIp(domain: string): string {
  const row = iis.find((r) => r.dir === 'cmd' && r.verb === 'RCPT' && r.text.endsWith(`@${domain}>`));
  assert.ok(row, `no RCPT to ${domain}`);
  return row.ip;
}

function rcptDomain(conn: Row[]): string | undefined {
  const r = conn.find((x) => x.dir === 'cmd' && x.verb === 'RCPT');
  return r?.text.replace(/>$/, '').split('@')[1];
}

test('KB 818222 domains: XEXCH50 answered 354, then nothing until the retry; the firewall logs XEXCH50 <n>', () => {
  const blocked = Object.entries(truth.domains).filter(([, d]: [string, any]) => d.verdict === 'xexch50-blocked');
  assert.equal(blocked.length, 4);
  for (const [domain, d] of blocked as Array<[string, any]>) {
    const conns = connections(mxIp(domain)).filter((c) => rcptDomain(c) === domain);
    const cut = conns.filter((c) => c.at(-1)!.text === '354 Send binary data' && c.at(-2)!.verb === 'XEXCH50');
    assert.equal(cut.length, d.counts.xexch50_blocked, domain);
    const sizes = new Set(cut.map((c) => `XEXCH50 ${c.at(-2)!.text.split(' ')[0]}`));
    const hostEvents = smtpEvt.filter((e) => d.firewall_hosts.includes(e.computer));
    const fromDomain = hostEvents.filter((e) => sizes.has(Buffer.from(e.data, 'hex').toString('latin1')));
    if (d.firewall_hosts.length > 0) assert.ok(fromDomain.length >= d.counts.firewall_events && d.counts.firewall_events > 100, domain);
    else assert.equal(d.counts.firewall_events, 0);
  }
  assert.ok(truth.lookalikes['xexch50-blocked-without-firewall-log']);
  assert.deepEqual(truth.domains[look['xexch50-blocked-without-firewall-log']].firewall_hosts, []);
});

test('firewall event Data is the ASCII text XEXCH50 <n> with n from the sender', () => {
  const sent = new Set(iis.filter((r) => r.dir === 'cmd' && r.verb === 'XEXCH50').map((r) => r.text.split(' ')[0]));
  const xexch = smtpEvt.filter((e) => Buffer.from(e.data, 'hex').toString('latin1').startsWith('XEXCH50 '));
  assert.ok(xexch.length > 300);
  for (const e of xexch) {
    const text = Buffer.from(e.data, 'hex').toString('latin1');
    assert.match(text, /^XEXCH50 \d{3,4}$/);
    assert.ok(sent.has(text.split(' ')[1]), text);
  }
  assert.ok(new Set(xexch.map((e) => e.data)).size > 20, 'blob sizes vary per message');
});

test('SmtpEvt 20031 for another verb (TURN) on the host of a healthy domain', () => {
  const domain = look['smtpevt-20031-other-verb'];
  assert.equal(truth.domains[domain].verdict, 'healthy');
  const host = truth.domains[domain].firewall_hosts[0];
  const turn = smtpEvt.filter((e) => e.computer === host && Buffer.from(e.data, 'hex').toString('latin1') === 'TURN');
  assert.ok(turn.length >= 1);
});

test('DNS failure: no connection, NDRs at once, 5.4.0 on the 2007 hub', () => {
  const domain = look['dns-failure-5.4.0'];
  assert.equal(iis.filter((r) => r.dir === 'cmd' && r.text.endsWith(`@${domain}>`)).length, 0);
  assert.ok(tracking.some((f) => f[8] === '1030' && f[11] === '1' && f[7].endsWith(`@${domain}`)));
  assert.ok(msgtrk.some((l) => l.includes(',FAIL,') && l.includes(`@${domain}`) && l.includes('550 5.4.0 ')));
  assert.ok(!sendLog.some((l) => l.includes(`@${domain}`)));
});

test('host unreachable: failed connects, never a banner, Retry queues, 4.4.7 on expiry', () => {
  const domain = look['host-unreachable-4.4.7'];
  assert.ok(sendLog.some((l) => l.includes('Failed to connect. Winsock error code: 10060') && l.includes(`Destination domain: ${domain}`)));
  assert.ok(sendLog.some((l) => l.includes('Winsock error code: 10061') && l.includes(`Destination domain: ${domain}`)));
  assert.equal(iis.filter((r) => r.dir === 'cmd' && r.text.endsWith(`@${domain}>`)).length, 0);
  assert.ok(msgtrk.some((l) => l.includes(',FAIL,') && l.includes(`@${domain}`) && l.includes('550 4.4.7 QUEUE.Expired')));
  assert.ok(tracking.some((f) => f[8] === '1030' && f[7].endsWith(`@${domain}`)));
  assert.ok(lines('EXCH01/Queues').some((l) => l.startsWith(`${domain}\t`) && l.split('\t')[3] === 'Retry'));
  assert.ok(lines('HUB01/Queues').some((l) => l.includes(`"${domain}"`) && l.includes('"Retry"') && l.includes('421 4.2.1 Unable to connect')));
});

test('5.1.1 for some recipients while the others are delivered', () => {
  const domain = look['recipient-rejected-5.1.1'];
  const conns = connections(mxIp(domain));
  const rejects = conns.flat().filter((r) => r.dir === 'resp' && r.text.startsWith('550 5.1.1'));
  assert.ok(rejects.length > 0);
  assert.ok(tracking.some((f) => f[8] === '1031' && f[7].endsWith(`@${domain}`)));
  assert.ok(tracking.some((f) => f[8] === '1030' && f[11] === '1' && f[7].endsWith(`@${domain}`)));
  assert.ok(msgtrk.some((l) => l.includes(',FAIL,') && l.includes(`@${domain}`) && l.includes('550 5.1.1 ')));
  assert.ok(sendLog.some((l) => l.includes(',<,550 5.1.1 ')));
  assert.ok(truth.domains[domain].counts.delivered > truth.domains[domain].counts.ndr);
});

test('XEXCH50 refused with 504 Need to authenticate first, mail delivered in the same session', () => {
  const domain = look['xexch50-504-need-to-authenticate'];
  const conns = connections(mxIp(domain));
  const refused = conns.filter((c) => c.some((r) => r.text === '504 Need to authenticate first'));
  assert.ok(refused.length > 0);
  for (const c of refused) {
    const i = c.findIndex((r) => r.text === '504 Need to authenticate first');
    assert.equal(c[i - 1].verb, 'XEXCH50');
    assert.equal(c[i + 1].verb, 'BDAT');
    assert.match(c[i + 2].text, /^250 2\.6\.0 /);
  }
  assert.equal(truth.domains[domain].verdict, 'healthy');
  assert.equal(truth.domains[domain].counts.undelivered, 0);
});

test('XEXCH50 accepted: 354, then 250, from EXCH01 and from HUB01', () => {
  const domain = look['xexch50-accepted'];
  const conns = connections(mxIp(domain));
  assert.ok(conns.some((c) => c.some((r, i) => r.text === '354 Send binary data' && c[i + 1]?.text === '250 XEXCH50 OK')));
  const hubX = sendLog.filter((l) => /,>,XEXCH50 \d+ 2,/.test(l));
  assert.ok(hubX.length > 0);
  assert.equal(truth.domains[domain].counts.xexch50_blocked, 0);
});

test('transient 4xx: greylisting and a 421 maintenance window, then delivery', () => {
  const domain = look['transient-4xx-then-delivered'];
  const rows = connections(mxIp(domain)).flat();
  const grey = rows.filter((r) => r.dir === 'resp' && r.text.startsWith('450 4.2.0'));
  assert.ok(grey.length > 0);
  assert.ok(rows.some((r) => r.dir === 'resp' && r.text.startsWith('421 4.3.2')));
  const d = truth.domains[domain];
  assert.equal(d.counts.delivered, d.counts.sent);
});

test('SMTP fixup: EHLO masked as XXXX and refused, HELO fallback, both directions, no stuck mail', () => {
  const domain = look['smtp-fixup-ehlo-masked'];
  const ip = mxIp(domain);
  const conns = connections(ip);
  assert.ok(conns.length > 0);
  for (const c of conns) {
    assert.match(c[0].text, /^220 \*+/);
    assert.equal(c[1].verb, 'EHLO');
    assert.match(c[2].text, /^500 .*XXXX/);
    assert.equal(c[3].verb, 'HELO');
    assert.match(c[4].text, /^250 /);
    assert.ok(!c.some((r) => r.verb === 'XEXCH50'));
  }
  const inbound = iis.filter((r) => r.ip === ip && r.dir === 'in');
  const masked = inbound.findIndex((r) => r.verb === 'xxxx' && r.status === '500');
  assert.ok(masked >= 0);
  assert.equal(inbound[masked + 1].verb, 'HELO');
  assert.equal(truth.domains[domain].verdict, 'smtp-inspection');
  assert.equal(truth.domains[domain].counts.undelivered, 0);
});

test('noise: many healthy domains, unrelated Application events, inbound mail', () => {
  const healthy = Object.values(truth.domains).filter((d: any) => d.verdict === 'healthy');
  assert.ok(healthy.length >= 25);
  const providers = new Set(events.map((e) => e.source));
  assert.ok(providers.size >= 5);
  assert.ok(events.filter((e) => e.source !== 'SmtpEvt').length > 500);
  assert.ok(iis.filter((r) => r.dir === 'in' && r.verb === 'DATA').length > 100);
  assert.ok(tracking.filter((f) => f[8] === '1028' && f[7].endsWith('@fabrikam.example')).length > 200);
});
