// Every HTTP server of the service, the API's and the /metrics endpoints alike, made and bound here:
// with the deadlines nginx gives its own clients (load-balancers/webserver/locations.conf), so that
// whoever reaches a server directly can hold it no longer than a client of nginx, and with its own
// refusals (a malformed request, a deadline passed) answered in JSON like the API's errors.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../process/config.js';

export interface HttpTimeouts {
  /** headers must arrive within this (408) */
  headersMs: number;
  /** a body must arrive within this after its headers (408, connection closed) */
  bodyMs: number;
  /** the whole request must arrive within this (408) */
  requestMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveMs: number;
}

export function httpTimeouts(config: Pick<Config, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_BODY_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'>): HttpTimeouts {
  return {
    headersMs: config.HTTP_HEADERS_TIMEOUT_MS,
    bodyMs: config.HTTP_BODY_TIMEOUT_MS,
    requestMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
  };
}

// Node looks for connections past their header or request deadline on a timer of this period; at its
// default (30 s) a deadline passed is noticed up to 30 s late, and a trickled request held that long.
const DEADLINE_CHECK_MS = 1_000;

export function createHttpServer(options: Pick<http.ServerOptions, 'IncomingMessage' | 'ServerResponse'>, listener: http.RequestListener, timeouts: HttpTimeouts): http.Server {
  const server = http.createServer({ ...options, headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: DEADLINE_CHECK_MS }, listener);
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.prependListener('request', bodyDeadline(timeouts.bodyMs));
  server.on('clientError', answerClientError);
  return server;
}

/** Listens on host:port; rejects when it cannot (a port in use, an address this host does not have). */
export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * The body of a request must have arrived `ms` after its headers, however slowly it is trickled
 * (nginx's client_body_timeout only bounds each pause; Node's requestTimeout is checked once a second).
 * Past it the client gets 408 and the connection is closed: the route still waiting for the body sees
 * it aborted, and its answer goes nowhere.
 */
function bodyDeadline(ms: number): http.RequestListener {
  return (req, res) => {
    if (req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0') return;
    const timer = setTimeout(() => {
      if (!req.complete) refuse(req.socket, 408, 'request_timeout', `the request body did not arrive within ${ms} ms`);
    }, ms);
    res.once('close', () => clearTimeout(timer));
  };
}

const CLIENT_ERRORS: Record<string, [status: number, error: string, message: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request did not arrive in time'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request headers are too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'body_too_large', 'the chunk extensions are too large'],
};

/** Node's answer to a request it could not read (malformed, too large, too slow), as JSON. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, error, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'bad_request', 'the request could not be parsed as HTTP/1.1'];
  refuse(socket, status, error, message);
}

// After a refusal the connection is half-closed and what the client still sends is read and dropped
// for this long (nginx's lingering close): closing at once, with its bytes unread, would reset the
// connection, and a reset can discard the answer before the client has read it.
const LINGER_MS = 2_000;

/** Writes a JSON error straight on the socket, unless an answer has begun, and closes the connection. */
function refuse(socket: Socket, status: number, error: string, message: string): void {
  const answer = (socket as Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage;
  if (!socket.writable || answer?.headersSent) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error, message });
  const head = `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  socket.end(head + body);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
