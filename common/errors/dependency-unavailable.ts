// A dependency (the broker or a database) cannot serve the request now; the webserver answers 503.
export class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: 'broker' | 'database',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
