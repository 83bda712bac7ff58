// Which addresses a webhook may be sent to. By default none that reach inside the network the service
// runs in: loopback, private, carrier-grade NAT, link-local (cloud metadata at 169.254.169.254 and
// fd00:ec2::254), multicast and reserved ranges are refused; an allow-list (WEBHOOK_ALLOWED_CIDRS)
// opens chosen ranges. An IPv6 address that carries an IPv4 one (IPv4-mapped, IPv4-compatible, NAT64's
// well-known prefix, 6to4) reaches that IPv4 host, so it is judged as that IPv4 address. Checked at creation (webserver) and again on every connection after DNS
// resolution (trigger), so a name that later resolves somewhere else cannot reach them.
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { embeddedIpv4 } from './embedded-ipv4.js';

const BLOCKED_IPV4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
// IPv6 ranges refused whole. Not here: ::/96, ::ffff:0:0/96, 64:ff9b::/96 and 2002::/16, judged by the
// IPv4 address they carry (embedded-ipv4.ts). Teredo (2001::/32) tunnels through a relay to a client
// whose address is obfuscated in the low bits; NAT64's local-use prefix (64:ff9b:1::/48) is a translator
// inside the operator's own network, at a prefix length that says nothing about where the IPv4 part is;
// site-local (fec0::/10) is the deprecated private range.
const BLOCKED_IPV6 = ['100::/64', '2001::/32', '2001:db8::/32', '64:ff9b:1::/48', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8'];
// Names that mean this machine whatever DNS says.
const LOCAL_NAMES = /^(localhost|.*\.localhost|localhost\.localdomain)\.?$/i;

const VERDICTS_KEPT = 4_096;

export const LOOPBACK_CIDRS = ['127.0.0.0/8', '::1/128'] as const;

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/');
    const family = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address!, Number(bits), family);
  }
  return list;
}

/** A CIDR as WEBHOOK_ALLOWED_CIDRS takes it: an IPv4 or IPv6 address, a slash and a prefix length. */
export function isCidr(text: string): boolean {
  const [address, bits, extra] = text.split('/');
  const family = isIP(address ?? '');
  const n = Number(bits);
  return extra === undefined && family !== 0 && bits !== '' && Number.isInteger(n) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

export class AddressPolicy {
  private readonly blocked = blockListOf([...BLOCKED_IPV4, ...BLOCKED_IPV6]);
  private readonly allowed: BlockList;
  // The verdict per address, kept because a BlockList check builds SocketAddress objects and runs for
  // every webhook and every created timer, while callbacks go to few addresses. Bounded: emptied when full.
  private readonly verdicts = new Map<string, boolean>();
  readonly allowsLoopback: boolean;

  constructor(readonly allowedCidrs: readonly string[] = []) {
    this.allowed = blockListOf(allowedCidrs);
    this.allowsLoopback = this.allows('127.0.0.1') || this.allows('::1');
  }

  /** allows(ip): may a webhook connect to this address? */
  allows(ip: string): boolean {
    const known = this.verdicts.get(ip);
    if (known !== undefined) return known;
    const family = isIP(ip);
    if (family === 0) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const verdict = this.allowed.check(ip, type) || this.allowsNotListed(ip, type);
    if (this.verdicts.size >= VERDICTS_KEPT) this.verdicts.clear();
    this.verdicts.set(ip, verdict);
    return verdict;
  }

  /** The verdict for an address the allow-list does not name: the IPv4 one it carries, else the blocked ranges. */
  private allowsNotListed(ip: string, type: 'ipv4' | 'ipv6'): boolean {
    const carried = type === 'ipv6' ? embeddedIpv4(ip) : null;
    if (carried !== null) return this.allowed.check(carried, 'ipv4') || !this.blocked.check(carried, 'ipv4');
    return !this.blocked.check(ip, type);
  }

  /** Why a URL's host is refused without resolving it (an address or a local name), or null. */
  refusalOfHost(hostname: string): string | null {
    const host = hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return this.allows(host) ? null : `${host} is a loopback, private, link-local or reserved address`;
    if (LOCAL_NAMES.test(host) && !this.allowsLoopback) return `${host} names this machine`;
    return null;
  }

  /**
   * Why a callback URL is refused, or null: its host as written, then what the name resolves to now.
   * A name that does not resolve yet is accepted; the trigger checks again before every connection.
   */
  async refusalOfUrl(url: string, resolveTimeoutMs = 2_000): Promise<string | null> {
    const { hostname } = new URL(url);
    const refusal = this.refusalOfHost(hostname);
    if (refusal || isIP(hostname.replace(/^\[|\]$/g, '')) || LOCAL_NAMES.test(hostname)) return refusal;
    const addresses = await resolveWithin(hostname, resolveTimeoutMs);
    const bad = addresses.find((address) => !this.allows(address));
    return bad ? `${hostname} resolves to ${bad}, a loopback, private, link-local or reserved address` : null;
  }
}

async function resolveWithin(hostname: string, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), timeoutMs)));
  const resolved = lookup(hostname, { all: true }).then(
    (records) => records.map((record) => record.address),
    () => [],
  );
  try {
    return await Promise.race([resolved, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
