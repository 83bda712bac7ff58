// The OpenAPI 3.1 description of the API, served at GET /openapi.json. Request bodies come from the
// zod schemas that validate them and answers from the zod schemas of the openapi-*.ts files, which the
// tests check the handlers' answers against, so the description cannot drift from the code. Every
// $ref resolves from the document's root (components/schemas), and every status a route can answer,
// its own and those common to all (openapi-answers.ts), is listed with its schema. What the service
// sends rather than serves, the outcome callbacks, is under webhooks.
import { SchemaComponents } from './openapi-components.js';
import { describer, headers, withCommonAnswers } from './openapi-answers.js';
import { securitySchemes, withSecurity } from './openapi-security.js';
import { timerPaths } from './openapi-timers.js';
import { logPaths } from './openapi-logs.js';
import { taskPaths } from './openapi-tasks.js';
import { taskTypePaths } from './openapi-task-types.js';
import { userPaths } from './openapi-users.js';
import { dashboardPaths } from './openapi-dashboard.js';
import { documentationPaths } from './openapi-docs.js';
import { schedulePaths } from './openapi-schedules.js';
import { deadLetterPaths } from './openapi-dead-letters.js';
import { flowControlPaths } from './openapi-flow-control.js';
import { callbackWebhooks } from './openapi-callbacks.js';

export { errorAnswer } from './openapi-answers.js';
export { timerAnswer } from './openapi-timer.js';
export { timerCreatedAnswer, timerListAnswer, bulkReplayAnswer, batchAnswer } from './openapi-timers.js';
export { logRecordAnswer, logPageAnswer } from './openapi-logs.js';
export { scheduleAnswer, scheduleListAnswer, scheduleRunAnswer } from './openapi-schedules.js';
export { deadLetterQueuesAnswer, deadLetterPeekAnswer, requeueAnswer, discardAnswer } from './openapi-dead-letters.js';
export { flowKeyAnswer, flowKeyListAnswer, deliveriesAnswer } from './openapi-flow-control.js';

export function openApiDocument() {
  const components = new SchemaComponents();
  const describe = describer(components);
  const timers = timerPaths(describe);
  const paths = withCommonAnswers(
    withSecurity({
      ...timers.paths,
      ...schedulePaths(describe),
      ...flowControlPaths(describe),
      ...logPaths(describe),
      ...taskPaths(describe),
      ...taskTypePaths(describe),
      ...userPaths(describe),
      ...dashboardPaths(describe),
      ...deadLetterPaths(describe),
      ...documentationPaths(describe),
    }),
    describe,
  );
  const webhooks = callbackWebhooks(describe);
  return {
    openapi: '3.1.0',
    info: {
      title: 'timer service',
      version: '0.1.0',
      description:
        'Fires an HTTP webhook at the requested time and on recurring schedules, within the limits of flow-control keys, tells its outcome to the callback URLs a timer names (webhooks: timerOutcome), runs background tasks, and stores access-log lines it hands out by cursor. Every error is JSON {error, message, details?, dependency?} (components/schemas/Error); a method and path not listed here get 404 not_found.',
    },
    paths,
    webhooks,
    components: { schemas: { ...timers.components, ...components.schemas }, headers, securitySchemes },
  };
}
