// The paths of the API's own documentation, of the dashboard page and of the webserver's metrics, for the OpenAPI description.
const page = (summary: string, type: string) => ({ get: { summary, responses: { 200: { description: summary, content: { [type]: {} } } } } });

export function documentationPaths() {
  return {
    '/openapi.json': page('This description (OpenAPI 3.1)', 'application/json'),
    '/docs': page('Swagger UI on this description', 'text/html'),
    '/redoc': page('ReDoc on this description', 'text/html'),
    '/dashboard': page('The monitoring page: counts, queues, processes, lateness, recent and failed timers and tasks (its data needs an admin unless DASHBOARD_OPEN)', 'text/html'),
    '/metrics': page("This webserver's Prometheus metrics (not through nginx: scrape each replica)", 'text/plain'),
  };
}
