import { AddressPolicy, LOOPBACK_CIDRS, isCidr } from './callback-address.js';

describe('AddressPolicy by default', () => {
  const policy = new AddressPolicy();

  test.each([
    '127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', '::ffff:127.0.0.1',
    '::ffff:7f00:1', '::ffff:a00:1', 'ff02::1',
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
});

test('isCidr', () => {
  for (const good of ['10.0.0.0/8', '127.0.0.1/32', '::1/128', 'fc00::/7', '0.0.0.0/0']) expect(isCidr(good)).toBe(true);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '::1/129', 'x/8', '10.0.0.0/8/1', '10.0.0.0/', '/8']) expect(isCidr(bad)).toBe(false);
});
