// Checks an answer of the API against its OpenAPI description: the operation of the request's method
// and path (templates like /timer/{id}) must list the status, and a JSON body must match the schema
// documented for it (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it, with formats). A non-JSON
// answer (an HTML page, the metrics text) is checked for its status only. A method and
// path the description does not list must get one of the answers any URL gets (404 not_found, or
// nginx's own), with the Error schema.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { openApiDocument } from '../../webserver/openapi/openapi.js';

// A CommonJS package: under NodeNext its default import is the module object, the plugin its .default.
const addFormats = ((formats as unknown as { default?: unknown }).default ?? formats) as (ajv: Ajv2020) => Ajv2020;

export interface Answer {
  method: string;
  /** the request's URL: its path and query */
  url: string;
  status: number;
  contentType: string | null;
  body: string;
}

/**
 * Served by the stack but deliberately not in the description, each with why: static files of pages
 * that are described (the browser fetches them, no client calls them), and the random-user
 * service, which nginx serves beside the API on the same port and which is not part of the API.
 */
export const UNDESCRIBED: ReadonlyArray<{ prefix: string; why: string }> = [
  { prefix: '/docs/assets/', why: "Swagger UI's files (swagger-ui-dist), loaded by /docs" },
  { prefix: '/redoc/assets/', why: "ReDoc's bundle, loaded by /redoc" },
  { prefix: '/dashboard/assets/', why: "the dashboard page's script and stylesheet, loaded by /dashboard" },
  { prefix: '/random-user/', why: 'the random-user service, another service behind the same nginx' },
];

// What any URL can get, described or not: no route (404), and what nginx answers before any route.
const ANY_URL = new Set([400, 404, 408, 413, 414, 429, 503]);

type Media = { schema?: unknown };
type Response = { content?: Record<string, Media> };
type Operation = { responses: Record<string, Response> };
type Document = { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

const BASE = 'https://timer-service.test/openapi.json';

export class OpenApiCheck {
  private readonly doc: Document;
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ path: string; pattern: RegExp }>;

  constructor(doc: unknown = openApiDocument()) {
    this.doc = doc as Document;
    // strict: false lets the OpenAPI words (description, example, ...) stand beside the schema keywords.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: BASE, components: this.doc.components });
    // Literal paths before templates: /users/me is not /users/{id}.
    this.templates = Object.keys(this.doc.paths)
      .sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
      .map((path) => ({ path, pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
  }

  /** The described path of a request path, if any. */
  pathOf(requestPath: string): string | undefined {
    const path = requestPath.length > 1 ? requestPath.replace(/\/$/, '') : requestPath;
    return this.templates.find((template) => template.pattern.test(path))?.path;
  }

  /** What is wrong with an answer, one line each; [] when the description allows it. */
  violations(answer: Answer): string[] {
    const requestPath = new URL(answer.url, 'http://stack').pathname;
    if (UNDESCRIBED.some(({ prefix }) => requestPath.startsWith(prefix))) return [];
    const method = answer.method.toLowerCase();
    const path = this.pathOf(requestPath);
    const operation = path === undefined ? undefined : this.doc.paths[path]?.[method];
    const name = `${answer.method.toUpperCase()} ${requestPath}${path && path !== requestPath ? ` (${path})` : ''} -> ${answer.status}`;
    if (!operation) {
      if (!ANY_URL.has(answer.status)) return [`${name}: the description has no such operation, and ${answer.status} is not an answer any URL gets`];
      return this.bodyViolations(name, `${BASE}#/components/schemas/Error`, answer);
    }
    const response = operation.responses[String(answer.status)];
    if (!response) return [`${name}: status ${answer.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
    if (!isJson(answer.contentType) || answer.body === '') return [];
    if (!response.content?.['application/json']) return [`${name}: answered JSON, but the description documents no JSON body for this status`];
    if (response.content['application/json'].schema === undefined) return [];
    const pointer = `#/paths/${escape(path!)}/${method}/responses/${answer.status}/content/${escape('application/json')}/schema`;
    return this.bodyViolations(name, pointer, answer, response.content['application/json'].schema);
  }

  private bodyViolations(name: string, key: string, answer: Answer, schema?: unknown): string[] {
    if (!isJson(answer.contentType)) return [];
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return [`${name}: the body is not JSON although its Content-Type says so: ${answer.body.slice(0, 200)}`];
    }
    const validate = this.validator(key, schema ?? { $ref: key });
    if (validate(body)) return [];
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    return [`${name}: the body does not match the documented schema: ${errors.join('; ')}; body: ${answer.body.slice(0, 500)}`];
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    const known = this.validators.get(key);
    if (known) return known;
    // The document's refs (#/components/...) are made absolute: the schema is compiled on its own.
    const validate = this.ajv.compile(absoluteRefs(schema) as object);
    this.validators.set(key, validate);
    return validate;
  }
}

const isJson = (contentType: string | null) => contentType !== null && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType);
const escape = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');

function absoluteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(absoluteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${BASE}${value}` : absoluteRefs(value)]));
}
