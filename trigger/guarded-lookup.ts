// DNS resolution for webhook connections that drops the addresses the AddressPolicy refuses, so a
// callback name that resolves (or is rebound) to a private, loopback or metadata address cannot be
// reached. Given to undici as the sockets' `lookup`; IP literals never reach it and are checked first.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { AddressPolicy } from '../common/webhooks/callback-address.js';

export const REFUSED_ADDRESS = 'ERR_CALLBACK_ADDRESS_REFUSED';

export class RefusedAddressError extends Error {
  readonly code = REFUSED_ADDRESS;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    const all: LookupAllOptions = { ...(options as object), all: true };
    dnsLookup(hostname, all, (err, addresses) => {
      if (err) return callback(err, []);
      const allowed = addresses.filter((record) => policy.allows(record.address));
      if (allowed.length === 0) {
        return callback(new RefusedAddressError(`${hostname} resolves only to refused addresses (${addresses.map((a) => a.address).join(', ')})`), []);
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
