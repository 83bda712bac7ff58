// One user from the upstream random-user API (https://randomuser.me/api/ by default): its response
// format checked with zod, a timeout, and every way it can fail turned into an UpstreamError (502).
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';

export const randomUserRecord = z.looseObject({
  gender: z.string(),
  name: z.looseObject({ title: z.string(), first: z.string(), last: z.string() }),
  email: z.string(),
  login: z.looseObject({ username: z.string() }),
  location: z.looseObject({ country: z.string() }),
  phone: z.string(),
});
export type RandomUserRecord = z.infer<typeof randomUserRecord>;

const upstreamAnswer = z.object({ results: z.array(randomUserRecord).min(1) });

export class UpstreamError extends Error {
  override name = 'UpstreamError';
}

export async function fetchRandomUser(url: string, timeoutMs: number, dispatcher?: Dispatcher): Promise<RandomUserRecord> {
  let status: number;
  let text: string;
  try {
    const response = await request(url, { method: 'GET', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), dispatcher });
    status = response.statusCode;
    text = await response.body.text();
  } catch (err) {
    const error = err as Error & { code?: string };
    const reason = error.name === 'TimeoutError' || error.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : (error.code ?? error.message);
    throw new UpstreamError(`the random-user API could not be reached: ${reason}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UpstreamError(`the random-user API answered HTTP ${status} with a body that is not JSON`);
  }
  const upstreamMessage = typeof (body as { error?: unknown })?.error === 'string' ? `: ${(body as { error: string }).error}` : '';
  if (status !== 200) throw new UpstreamError(`the random-user API answered HTTP ${status}${upstreamMessage}`);
  const parsed = upstreamAnswer.safeParse(body);
  if (!parsed.success) throw new UpstreamError(`the random-user API answered in an unexpected format${upstreamMessage}`);
  return parsed.data.results[0]!;
}
