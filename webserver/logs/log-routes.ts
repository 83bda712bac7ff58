// The access-log routes: POST /api/data stores an access-log line, GET /api/data reads records by cursor.
import { Router } from 'express';
import { jsonBody } from '../http/storable-input.js';
import { parseLogLine } from '../../common/messages/access-log-line.js';
import { encodeLogMessage, type IncomingLog } from '../../common/messages/log-message.js';
import { createLogRequest, logPageQuery } from './log-request.js';
import { fieldErrors } from '../http/field-errors.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { requireJson } from '../http/http-errors.js';
import type { AmqpClient } from '../../common/broker/amqp.js';
import type { Pool } from '../../common/db/pool.js';
import { cursorOf, readLogRecords, START_OF_LOG } from '../../common/store/log-records.js';
import { logRecordView } from './log-record-view.js';
import { readWaitingForRecent } from '../timers/read-your-writes.js';

/** What the access-log routes need. */
export interface LogRouteDeps {
  amqp: AmqpClient;
  mainDb: Pool;
  bodyLimitBytes: number;
  /** how long GET /api/data?id= waits for a record just accepted to be stored */
  readYourWritesWaitMs: number;
  now: () => number;
}

export function logRoutes(deps: LogRouteDeps): Router {
  const router = Router();
  const parseJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false });

  router.post('/api/data', requireJson, parseJson, async (req, res) => {
    const body = createLogRequest.safeParse(req.body);
    if (!body.success) {
      res.status(422).json({ error: 'validation_failed', message: 'the body must be {"log": "<IP> <METHOD> <URI> <STATUS>"}', details: fieldErrors(body.error) });
      return;
    }
    const parsed = parseLogLine(body.data.log);
    if (!parsed.ok) {
      // A line it cannot store is answered 418, as earlier clients expect; the body says what is wrong.
      const { field, message } = parsed.error;
      res.status(418).json({ error: 'unparsable_log', message: `the log line does not parse: ${field} ${message}`, details: [parsed.error] });
      return;
    }
    const record: IncomingLog = { id: newTimerId(), created: deps.now(), ...parsed.log };
    // Answered once the broker has confirmed the persistent message: accepted means durable.
    await deps.amqp.publish(deps.amqp.names.incomingLogs, encodeLogMessage(record), { messageId: record.id });
    res.status(201).json({ id: record.id, created: new Date(record.created).toISOString(), log: parsed.log });
  });

  router.get('/api/data', async (req, res) => {
    const query = logPageQuery.safeParse(req.query);
    if (!query.success) {
      res.status(422).json({ error: 'validation_failed', message: 'the query is not valid', details: fieldErrors(query.error) });
      return;
    }
    const { id, limit } = query.data;
    let after = START_OF_LOG;
    if (id !== undefined) {
      // An id answered by a POST a moment ago may still be on its way to the database: wait for it.
      const cursor = await readWaitingForRecent(id, deps.readYourWritesWaitMs, deps.now, () => cursorOf(deps.mainDb, id.toLowerCase()));
      if (!cursor) {
        res.status(404).json({ error: 'not_found', message: `no log record with id ${id}` });
        return;
      }
      after = cursor;
    }
    const rows = await readLogRecords(deps.mainDb, after, limit);
    res.json(rows.map(logRecordView));
  });

  return router;
}
