// GET /openapi.json: the API's description; GET /docs: Swagger UI, GET /redoc: ReDoc, both on it, served
// from the npm packages swagger-ui-dist and redoc on this server (no CDN: the service must document
// itself offline).
import { Router, static as serveStatic } from 'express';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { openApiDocument } from './openapi.js';

const require = createRequire(import.meta.url);
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const REDOC_BUNDLE_DIR = join(dirname(require.resolve('redoc/package.json')), 'bundles');
const SPEC_URL = '/openapi.json';

const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;

const swaggerPage = page(
  'timer service API: Swagger UI',
  '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">',
  `<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '${SPEC_URL}', dom_id: '#swagger-ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
</script>`,
);

const redocPage = page(
  'timer service API: ReDoc',
  '<style>body { margin: 0; padding: 0; }</style>',
  `<redoc spec-url="${SPEC_URL}"></redoc>
<script src="/redoc/assets/redoc.standalone.js"></script>`,
);

const SWAGGER_ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png', 'favicon-16x16.png']);
const REDOC_ASSETS = new Set(['redoc.standalone.js']);

/**
 * Serves only the named files of a folder; a package's are cached for a day (they change with the
 * package version), the service's own (the dashboard's) are revalidated (maxAge 0).
 */
export function assets(dir: string, names: Set<string>, options: { maxAge?: string | number; setHeaders?: (res: ServerResponse) => void } = {}) {
  const files = serveStatic(dir, { index: false, maxAge: options.maxAge ?? '1d', fallthrough: true, setHeaders: options.setHeaders });
  return Router().use((req, res, next) => (names.has(req.path.slice(1)) ? files(req, res, next) : next()));
}

export function docsRoutes(): Router {
  const router = Router();
  const openApi = openApiDocument();
  router.get(SPEC_URL, (_req, res) => {
    res.json(openApi);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(swaggerPage);
  });
  router.get('/redoc', (_req, res) => {
    res.type('html').send(redocPage);
  });
  router.use('/docs/assets', assets(SWAGGER_UI_DIR, SWAGGER_ASSETS));
  router.use('/redoc/assets', assets(REDOC_BUNDLE_DIR, REDOC_ASSETS));
  return router;
}
