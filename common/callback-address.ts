// Which addresses a webhook may be sent to. By default none that reach inside the network the service
// runs in: loopback, private, carrier-grade NAT, link-local (cloud metadata at 169.254.169.254 and
// fd00:ec2::254), multicast and reserved ranges are refused; an allow-list (WEBHOOK_ALLOWED_CIDRS)
// opens chosen ranges. Checked at creation (webserver) and again on every connection after DNS
// resolution (trigger), so a name that later resolves somewhere else cannot reach them.
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

const BLOCKED_IPV4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24',
  '224.0.0.0/4', '240.0.0.0/4',
];
const BLOCKED_IPV6 = [
  '::/128', '::1/128', '64:ff9b::/96', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8',
];
// IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) are checked against the IPv4 ranges by BlockList itself.
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
    const verdict = this.allowed.check(ip, type) || !this.blocked.check(ip, type);
    if (this.verdicts.size >= VERDICTS_KEPT) this.verdicts.clear();
    this.verdicts.set(ip, verdict);
    return verdict;
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
