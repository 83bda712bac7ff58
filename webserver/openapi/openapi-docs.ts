// The paths of the process itself (liveness, readiness), of the API's own documentation, of the
// dashboard page and of the webserver's metrics, for the OpenAPI description.
import { z } from 'zod';
import type { Describe } from './openapi-answers.js';

export const healthAnswer = z.object({ status: z.literal('ok') });
export const readyAnswer = z.object({
  status: z.enum(['ready', 'unavailable']),
  broker: z.enum(['up', 'down']),
  database: z.enum(['up', 'down']).describe('down also when SELECT 1 takes over 2 s'),
});

const page = (summary: string, type: string) => ({ get: { summary, responses: { 200: { description: summary, content: { [type]: {} } } } } });

export function documentationPaths({ json, error }: Describe) {
  return {
    '/health': { get: { summary: 'The process is alive', responses: { 200: json(healthAnswer, 'alive') } } },
    '/ready': {
      get: {
        summary: 'Broker and main database reachable',
        responses: { 200: json(readyAnswer, 'ready'), 503: json(readyAnswer, 'the broker or the database is down (status unavailable)') },
      },
    },
    '/openapi.json': page('This description (OpenAPI 3.1)', 'application/json'),
    '/docs': page('Swagger UI on this description', 'text/html'),
    '/redoc': page('ReDoc on this description', 'text/html'),
    '/dashboard': page('The monitoring page: counts, queues, processes, lateness, recent and failed timers and tasks (its data needs an admin unless DASHBOARD_OPEN)', 'text/html'),
    '/metrics': {
      get: {
        summary: "This webserver's Prometheus metrics, on each replica's own port (scrape each replica)",
        responses: {
          200: { description: 'the exposition text, from a replica', content: { 'text/plain': {} } },
          404: error("through nginx: metrics are not served on the public port, only on each process's own"),
        },
      },
    },
  };
}
