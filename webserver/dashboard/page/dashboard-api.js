// The page's calls to the service: its own data (GET /dashboard/api/...) and the public API, with the
// admin's bearer token in the Authorization header. The token is kept in the tab's sessionStorage (never
// a cookie): a request carries it only when this script puts it there, so no other page can act with it.

const TOKEN_KEY = 'timer-dashboard-token';

export const token = () => sessionStorage.getItem(TOKEN_KEY);
export const keepToken = (value) => sessionStorage.setItem(TOKEN_KEY, value);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

/** { status, body }: body is the parsed JSON answer, or null. A network failure throws a TypeError. */
export async function call(method, path, body) {
  const headers = token() ? { authorization: `Bearer ${token()}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await res.json().catch(() => null);
  return { status: res.status, body: answer };
}

export const read = (path) => call('GET', path);

/** The API's own words for a refusal: its message and the fields it names. */
export function refusal(status, body) {
  const message = body?.message ?? `answer ${status}`;
  const fields = Array.isArray(body?.details) ? body.details.map((d) => `${d.field}: ${d.message}`) : [];
  return fields.length > 0 ? `${message} (${fields.join('; ')})` : message;
}
