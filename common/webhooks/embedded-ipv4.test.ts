import { embeddedIpv4, ipv6Groups } from './embedded-ipv4.js';

test('reads the eight groups of an IPv6 address, compressed, dotted or with a zone', () => {
  expect(ipv6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  expect(ipv6Groups('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  expect(ipv6Groups('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(ipv6Groups('::ffff:10.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0a00, 1]);
  expect(ipv6Groups('2002:a00:1::')).toEqual([0x2002, 0xa00, 1, 0, 0, 0, 0, 0]);
  expect(ipv6Groups('10.0.0.1')).toBeNull();
  expect(ipv6Groups('example.com')).toBeNull();
});

test.each([
  ['::ffff:10.0.0.1', '10.0.0.1'],
  ['::ffff:7f00:1', '127.0.0.1'],
  ['::8.8.8.8', '8.8.8.8'],
  ['::1', '0.0.0.1'],
  ['64:ff9b::a9fe:a9fe', '169.254.169.254'],
  ['2002:c0a8:101:1::1', '192.168.1.1'],
  ['2606:4700:4700::1111', null],
  ['64:ff9b:1::808:808', null],
  ['2001::1', null],
  ['::1:0:0:0', null],
  ['8.8.8.8', null],
])('the IPv4 address %s carries is %s', (ip, carried) => {
  expect(embeddedIpv4(ip)).toBe(carried);
});
