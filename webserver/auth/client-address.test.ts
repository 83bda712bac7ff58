import { throttleKey } from './client-address.js';

describe('the address failed logins are counted under', () => {
  test('an IPv4 client is its address, also when it arrives IPv4-mapped on a dual-stack socket', () => {
    expect(throttleKey('203.0.113.7')).toBe('203.0.113.7');
    expect(throttleKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(throttleKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  test('every address of one IPv6 /64 counts as one client, however it is written', () => {
    const key = '2001:db8:1:2::/64';
    expect(throttleKey('2001:db8:1:2::1')).toBe(key);
    expect(throttleKey('2001:0db8:0001:0002:ffff:ffff:ffff:fffe')).toBe(key);
    expect(throttleKey('2001:DB8:1:2:0:0:0:9')).toBe(key);
    expect(throttleKey('2001:db8:1:3::1')).not.toBe(key);
    expect(throttleKey('::1')).toBe('0:0:0:0::/64');
    expect(throttleKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  test('no address at all (a closed socket) is one shared key, not a free pass', () => {
    expect(throttleKey(undefined)).toBe('unknown');
  });
});
