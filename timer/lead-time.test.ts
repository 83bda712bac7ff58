import { LeadTime } from './lead-time.js';

/** A lead on a clock the test moves. */
function leadAt(settings: ConstructorParameters<typeof LeadTime>[0]) {
  let now = 1_000_000;
  const lead = new LeadTime(settings, () => now);
  return { lead, advance: (ms: number) => (now += ms), now: () => now };
}

describe('LeadTime', () => {
  test('with short trips the lead is the base', () => {
    const { lead, now } = leadAt({ baseMs: 200, maxMs: 1_500 });
    expect(lead.ms).toBe(200);
    lead.observe(now() - 5, now());
    expect(lead.ms).toBe(200);
  });

  test('a long trip makes the lead four times as long, up to the ceiling', () => {
    const { lead, now } = leadAt({ baseMs: 200, maxMs: 1_500 });
    lead.observe(now() - 150, now());
    expect(lead.ms).toBe(600);
    lead.observe(now() - 900, now());
    expect(lead.ms).toBe(1_500);
  });

  test('a long trip is forgotten with its half-life, back to the base', () => {
    const { lead, now, advance } = leadAt({ baseMs: 200, maxMs: 1_500, halfLifeMs: 10_000 });
    lead.observe(now() - 250, now());
    expect(lead.ms).toBe(1_000);
    advance(10_000);
    expect(lead.ms).toBe(500);
    advance(60_000);
    expect(lead.ms).toBe(200);
  });

  test('a shorter trip does not shorten the lead a longer recent one set', () => {
    const { lead, now, advance } = leadAt({ baseMs: 200, maxMs: 1_500 });
    lead.observe(now() - 300, now());
    advance(100);
    lead.observe(now() - 10, now());
    expect(lead.ms).toBeGreaterThan(1_150);
  });

  test('a confirm before the planned instant counts as no trip at all', () => {
    const { lead, now } = leadAt({ baseMs: 200, maxMs: 1_500 });
    lead.observe(now() + 50, now());
    expect(lead.ms).toBe(200);
  });
});
