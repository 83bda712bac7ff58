// The IPv4 address an IPv6 address carries, for the ranges where a packet to the IPv6 address ends up
// at that IPv4 host: IPv4-mapped (::ffff:a.b.c.d, the socket API's IPv4), IPv4-compatible (::a.b.c.d,
// deprecated, still routed by some stacks), NAT64's well-known prefix (64:ff9b::a.b.c.d, a translator
// forwards it to a.b.c.d) and 6to4 (2002:aabb:ccdd::/48, a relay tunnels it to aa.bb.cc.dd). A callback
// to one of them is judged as a callback to the IPv4 address it reaches (common/webhooks/callback-address.ts).
import { isIP } from 'node:net';

/** The eight 16-bit groups of an IPv6 address (a zone id such as %eth0 ignored), or null if it is not one. */
export function ipv6Groups(ip: string): number[] | null {
  const address = ip.split('%')[0]!;
  if (isIP(address) !== 6) return null;
  let text = address;
  // A dotted IPv4 tail (::ffff:10.0.0.1) is the last two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

const dottedOf = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/** The IPv4 address an IPv4-mapped, IPv4-compatible, NAT64 well-known or 6to4 address carries, else null. */
export function embeddedIpv4(ip: string): string | null {
  const g = ipv6Groups(ip);
  if (g === null) return null;
  const zeroUpTo = (n: number) => g.slice(0, n).every((group) => group === 0);
  // ::ffff:0:0/96, IPv4-mapped
  if (zeroUpTo(5) && g[5] === 0xffff) return dottedOf(g[6]!, g[7]!);
  // ::/96, IPv4-compatible (:: and ::1 among them: 0.0.0.0 and 0.0.0.1, refused as 0.0.0.0/8)
  if (zeroUpTo(6)) return dottedOf(g[6]!, g[7]!);
  // 64:ff9b::/96, NAT64's well-known prefix (RFC 6052): the address in the last 32 bits
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0)) return dottedOf(g[6]!, g[7]!);
  // 2002::/16, 6to4 (RFC 3056): the relay's IPv4 address in bits 16-47
  if (g[0] === 0x2002) return dottedOf(g[1]!, g[2]!);
  return null;
}
