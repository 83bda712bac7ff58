// How an access-log record is shown to API clients; the records are read in cursor order by
// common/store/log-records.ts.
import type { AccessLog } from '../../common/messages/access-log-line.js';
import type { LogRecordRow } from '../../common/store/log-records.js';

/** How a record is shown to API clients: the access-log store's {id, created, log: {ip, method, uri, status_code}}. */
export function logRecordView(row: LogRecordRow): { id: string; created: string; log: AccessLog } {
  return {
    id: row.id,
    created: row.created.toISOString(),
    log: { ip: row.ip, method: row.method, uri: row.uri, status_code: row.status_code },
  };
}
