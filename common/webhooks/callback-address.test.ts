import { AddressPolicy, LOOPBACK_CIDRS, isCidr } from './callback-address.js';

describe('AddressPolicy by default', () => {
  const policy = new AddressPolicy();

  test.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a00:1',
    'ff02::1',
  ])('refuses %s', (ip) => {
    expect(policy.allows(ip)).toBe(false);
  });

  test.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111'])('allows %s', (ip) => {
    expect(policy.allows(ip)).toBe(true);
  });

  test('gives the same verdicts after more addresses than it remembers', () => {
    const verdicts = (ips: string[]) => ips.map((ip) => policy.allows(ip));
    const sample = ['10.0.0.1', '8.8.8.8', '::1', '2606:4700:4700::1111', '127.0.0.1'];
    const first = verdicts(sample);
    expect(first).toEqual([false, true, false, true, false]);
    for (let i = 0; i < 5_000; i++) policy.allows(`10.${(i >> 8) & 255}.${i & 255}.1`);
    expect(verdicts(sample)).toEqual(first);
    expect(verdicts(['10.19.135.1', '11.19.135.1'])).toEqual([false, true]);
  });

  test('refuses a host that is not an address at all', () => {
    expect(policy.allows('example.com')).toBe(false);
  });

  test('refuses local names and private literals in URLs, with a reason', () => {
    expect(policy.refusalOfHost('localhost')).toMatch(/names this machine/);
    expect(policy.refusalOfHost('api.localhost')).toMatch(/names this machine/);
    expect(policy.refusalOfHost('[::1]')).toMatch(/loopback, private/);
    expect(policy.refusalOfHost('169.254.169.254')).toMatch(/169\.254\.169\.254/);
    expect(policy.refusalOfHost('example.com')).toBeNull();
  });

  test('refuses a URL whose name resolves to loopback', async () => {
    await expect(policy.refusalOfUrl('http://localhost:8080/x')).resolves.toMatch(/names this machine/);
    await expect(policy.refusalOfUrl('http://127.0.0.1:8080/x')).resolves.toMatch(/127\.0\.0\.1/);
  });

  test('accepts a name that does not resolve (checked again at send time)', async () => {
    await expect(policy.refusalOfUrl('https://no-such-host.invalid/hook')).resolves.toBeNull();
  });
});

describe('AddressPolicy for IPv6 ranges that carry IPv4 or reach a local network', () => {
  const policy = new AddressPolicy();

  test('::/96 (IPv4-compatible) is judged by the IPv4 address it carries', () => {
    expect(policy.allows('::127.0.0.1')).toBe(false);
    expect(policy.allows('::a9fe:a9fe')).toBe(false);
    expect(policy.allows('::10.1.2.3')).toBe(false);
    expect(policy.allows('::')).toBe(false);
    expect(policy.allows('::1')).toBe(false);
    expect(policy.allows('::8.8.8.8')).toBe(true);
  });

  test('::ffff:0:0/96 (IPv4-mapped) is judged by the IPv4 address it carries', () => {
    expect(policy.allows('::ffff:169.254.169.254')).toBe(false);
    expect(policy.allows('::ffff:c0a8:101')).toBe(false);
    expect(policy.allows('0:0:0:0:0:ffff:7f00:1')).toBe(false);
    expect(policy.allows('::ffff:8.8.8.8')).toBe(true);
  });

  test('64:ff9b::/96 (NAT64 well-known prefix) is judged by the IPv4 address it carries', () => {
    expect(policy.allows('64:ff9b::127.0.0.1')).toBe(false);
    expect(policy.allows('64:ff9b::a00:1')).toBe(false);
    expect(policy.allows('64:ff9b::a9fe:a9fe')).toBe(false);
    expect(policy.allows('64:ff9b::808:808')).toBe(true);
  });

  test('2002::/16 (6to4) is judged by the IPv4 address in its second and third groups', () => {
    expect(policy.allows('2002:7f00:1::1')).toBe(false);
    expect(policy.allows('2002:a00:1:5::1')).toBe(false);
    expect(policy.allows('2002:c0a8:101::')).toBe(false);
    expect(policy.allows('2002:808:808::1')).toBe(true);
  });

  test('2001::/32 (Teredo) is refused whole', () => {
    expect(policy.allows('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe(false);
    expect(policy.allows('2001::1')).toBe(false);
    // The next /32 of 2001::/23 is not Teredo.
    expect(policy.allows('2001:1::1')).toBe(true);
  });

  test('64:ff9b:1::/48 (NAT64 local-use prefix) is refused whole, public IPv4 inside or not', () => {
    expect(policy.allows('64:ff9b:1::808:808')).toBe(false);
    expect(policy.allows('64:ff9b:1:ffff:ffff::1')).toBe(false);
  });

  test('fec0::/10 (site-local) is refused whole', () => {
    expect(policy.allows('fec0::1')).toBe(false);
    expect(policy.allows('feff:ffff::1')).toBe(false);
  });

  test('a refused host in a URL says why', () => {
    expect(policy.refusalOfHost('[64:ff9b::a9fe:a9fe]')).toMatch(/64:ff9b::a9fe:a9fe is a loopback, private/);
    expect(policy.refusalOfHost('[2002:808:808::1]')).toBeNull();
  });
});

describe('AddressPolicy with an allow-list', () => {
  test('loopback allowed opens 127/8 and ::1 and the local names, nothing else', async () => {
    const policy = new AddressPolicy(LOOPBACK_CIDRS);
    expect(policy.allowsLoopback).toBe(true);
    expect(policy.allows('127.0.0.1')).toBe(true);
    expect(policy.allows('::1')).toBe(true);
    expect(policy.allows('10.0.0.1')).toBe(false);
    expect(policy.allows('169.254.169.254')).toBe(false);
    await expect(policy.refusalOfUrl('http://localhost:9/x')).resolves.toBeNull();
  });

  test('a private range can be opened alone', () => {
    const policy = new AddressPolicy(['10.1.0.0/16']);
    expect(policy.allows('10.1.2.3')).toBe(true);
    expect(policy.allows('10.2.0.1')).toBe(false);
    expect(policy.allowsLoopback).toBe(false);
  });

  test('an opened IPv4 range opens the IPv6 addresses that carry it, and only those', () => {
    const policy = new AddressPolicy(['10.1.0.0/16']);
    expect(['::ffff:10.1.2.3', '::10.1.2.3', '64:ff9b::10.1.2.3', '2002:a01:203::1'].map((ip) => policy.allows(ip))).toEqual([true, true, true, true]);
    expect(['::ffff:10.2.0.1', '::10.2.0.1', '64:ff9b::10.2.0.1', '2002:a02:1::1'].map((ip) => policy.allows(ip))).toEqual([false, false, false, false]);
  });

  test('an opened IPv6 range opens its addresses even when they would otherwise be refused whole', () => {
    const policy = new AddressPolicy(['64:ff9b:1::/48', '2001::/32']);
    expect(policy.allows('64:ff9b:1::808:808')).toBe(true);
    expect(policy.allows('2001::1')).toBe(true);
    expect(policy.allows('fec0::1')).toBe(false);
  });
});

test('isCidr', () => {
  for (const good of ['10.0.0.0/8', '127.0.0.1/32', '::1/128', 'fc00::/7', '0.0.0.0/0']) expect(isCidr(good)).toBe(true);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '::1/129', 'x/8', '10.0.0.0/8/1', '10.0.0.0/', '/8']) expect(isCidr(bad)).toBe(false);
});
