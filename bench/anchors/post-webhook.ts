// The anchors' webhook call: POST url with {"id": ...} over keep-alive connections (256 per host, as
// the timer service's trigger), reading and dropping the answer. Rejects on a non-2xx answer.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' });

export function postWebhook(url: string, id: string, timeoutMs = 10_000): Promise<void> {
  const body = JSON.stringify({ id });
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, timeout: timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': id } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error('webhook timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export function closeWebhookAgent(): void {
  agent.destroy();
}
