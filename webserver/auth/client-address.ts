// Which client a request comes from, for throttling: Express's req.ip, which follows X-Forwarded-For
// only through the proxies TRUSTED_PROXIES names (app.set('trust proxy')): nginx appends the address it
// saw to the header, Express walks it from the right past the trusted hops, so a client cannot pick its
// own address by sending the header, and a client that reaches a webserver directly from an untrusted
// address is known by its socket's address whatever it sends.
//
// An IPv6 client is keyed by its /64: one subscriber usually gets a whole /64 and may rotate through
// it at will, so counting per address would give it 2^64 fresh budgets.
import { isIPv4, isIPv6 } from 'node:net';

/** The full eight groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  if (!isIPv6(address)) return null;
  let text = address.split('%')[0]!;
  // An embedded IPv4 tail (::ffff:1.2.3.4) as two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((group) => parseInt(group, 16));
}

/** throttleKey(ip): the address a client's failed logins are counted under. */
export function throttleKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (isIPv4(ip)) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return ip;
  // ::ffff:a.b.c.d, an IPv4 client on a dual-stack socket: its IPv4 address.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
