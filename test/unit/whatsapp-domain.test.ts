/**
 * The pure rules of WhatsApp templates and campaigns: template checks, pacing, the daily window, opt-out keywords,
 * parameter values and the order recipient statuses move in.
 */
import { inWindow, isOptOut, nextWindowOpening, paceTick, recipientMoves, resolveParameters, DEFAULT_OPT_OUT_KEYWORDS, type Pace } from '../../shared/domain/campaigns';
import { normaliseTemplateStatus, templateParameters, validateTemplate, type TemplateDefinition } from '../../shared/domain/templates';

const def = (overrides: Partial<TemplateDefinition> = {}): TemplateDefinition => ({
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  parameterFormat: 'POSITIONAL',
  components: [{ type: 'BODY', text: 'Hi {{1}}, order {{2}} shipped', examples: ['Ann', 'A1'] }],
  ...overrides,
});

describe('template checks', () => {
  it('accepts a well-formed template and lists its parameters in order', () => {
    expect(validateTemplate(def())).toEqual([]);
    expect(templateParameters(def({ components: [{ type: 'BODY', text: '{{2}} then {{1}}', examples: ['a', 'b'] }] }))).toEqual({ header: [], body: ['1', '2'] });
  });

  it('names the field of each problem', () => {
    const paths = (d: TemplateDefinition) => validateTemplate(d).map((p) => p.path);
    expect(paths(def({ name: 'Order Update' }))).toEqual(['name']);
    expect(paths(def({ components: [{ type: 'BODY', text: 'Hi {{1}} {{3}}', examples: ['a', 'b'] }] }))).toEqual(['components.0.text']);
    expect(paths(def({ components: [{ type: 'BODY', text: 'Hi {{1}} {{2}}', examples: ['a'] }] }))).toEqual(['components.0.examples']);
    expect(paths(def({ components: [{ type: 'BODY', text: 'Hi {{name}}', examples: ['a'] }] }))).toEqual(['components.0.text']);
    expect(paths(def({ parameterFormat: 'NAMED', components: [{ type: 'BODY', text: 'Hi {{name}}', examples: {} }] }))).toEqual(['components.0.examples.name']);
    expect(paths(def({ components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'x' }] }))).toEqual(['components.0.example']);
    expect(paths(def({ components: [{ type: 'FOOTER', text: 'f' }] }))).toEqual(['components']);
  });

  it('maps provider status words onto one vocabulary', () => {
    expect(normaliseTemplateStatus('approved')).toBe('APPROVED');
    expect(normaliseTemplateStatus('received')).toBe('PENDING');
    expect(normaliseTemplateStatus('PAUSED')).toBe('PAUSED');
    expect(normaliseTemplateStatus('nonsense')).toBeUndefined();
  });
});

describe('pacing', () => {
  it('adds up to the rate over a minute whatever the tick jitter', () => {
    let pace: Pace | undefined;
    let sent = 0;
    let t = 1_000_000;
    let firstTick = 0;
    for (let i = 0; i < 60; i++) {
      t += 1000 + (i % 3 === 0 ? 300 : i % 3 === 1 ? -200 : -100); // late, early, early
      firstTick ||= t;
      const tick = paceTick(pace, 50, t);
      pace = tick.pace;
      sent += tick.count;
    }
    // The first tick sends a second's worth; from then on the credit accrues with the clock.
    const expected = (50 * (t - (firstTick - 1000))) / 1000;
    expect(Math.abs(sent - expected)).toBeLessThanOrEqual(1);
  });

  it('catches up a stalled tick within the minute, never more than two seconds worth at once', () => {
    let pace: Pace | undefined;
    let sent = 0;
    let largest = 0;
    const start = 2_000_000;
    let t = start;
    while (t < start + 60_000) {
      t += t === start + 20_000 ? 6_000 : 1000; // one tick 6 s late: a slow dispatch, a busy machine
      const tick = paceTick(pace, 50, t);
      pace = tick.pace;
      sent += tick.count;
      largest = Math.max(largest, tick.count);
    }
    // The first tick (at start + 1 s) sends a second's worth: from `start` on, every second is paid for.
    expect(Math.abs(sent - (50 * (t - start)) / 1000)).toBeLessThanOrEqual(1);
    expect(largest).toBeLessThanOrEqual(100);
  });

  it('forgives what a long stall owes rather than flooding the provider after it', () => {
    const first = paceTick(undefined, 50, 10_000);
    const late = paceTick(first.pace, 50, 70_000);
    expect(late.count).toBe(100);
    expect(late.pace.credit).toBeLessThanOrEqual(50 * 10 - 100);
  });

  it('halves after a slow-down and recovers', () => {
    const first = paceTick(undefined, 40, 10_000);
    const slowed = paceTick(first.pace, 40, 11_000, 10_500);
    expect(slowed.pace.factor).toBe(0.5);
    expect(slowed.count).toBeLessThanOrEqual(21);
    const later = paceTick(slowed.pace, 40, 21_000);
    expect(later.pace.factor).toBeCloseTo(1, 5);
  });
});

describe('the daily window', () => {
  const window = { from: '09:00', to: '18:00', timeZone: 'Europe/Rome', days: [1, 2, 3, 4, 5] };
  it('is open on weekdays from 9 to 18 in Rome, shut at night and at weekends', () => {
    expect(inWindow(window, Date.parse('2026-12-01T10:00:00Z'))).toBe(true); // Tuesday 11:00 in Rome
    expect(inWindow(window, Date.parse('2026-12-01T17:30:00Z'))).toBe(false); // 18:30 in Rome
    expect(inWindow(window, Date.parse('2026-12-05T10:00:00Z'))).toBe(false); // Saturday
  });
  it('next opens on Monday morning after a Friday evening', () => {
    expect(new Date(nextWindowOpening(window, Date.parse('2026-12-04T18:00:00Z'))).toISOString()).toBe('2026-12-07T08:00:00.000Z');
  });
  it('runs past midnight when it ends before it starts', () => {
    const night = { from: '22:00', to: '02:00', timeZone: 'UTC' };
    expect(inWindow(night, Date.parse('2026-12-01T23:30:00Z'))).toBe(true);
    expect(inWindow(night, Date.parse('2026-12-01T01:30:00Z'))).toBe(true);
    expect(inWindow(night, Date.parse('2026-12-01T12:00:00Z'))).toBe(false);
  });
});

describe('opt-out keywords', () => {
  it.each(['STOP', 'stop', ' Stop! ', 'annulla', 'CANCELLA.', 'Unsubscribe'])('%j opts out', (text) => {
    expect(isOptOut(text, DEFAULT_OPT_OUT_KEYWORDS)).toBe(true);
  });
  it.each(['stop sending me offers?', 'ok', '', 'non annullare'])('%j does not', (text) => {
    expect(isOptOut(text, DEFAULT_OPT_OUT_KEYWORDS)).toBe(false);
  });
});

describe('recipients', () => {
  it('move forward only; failed and skipped are final; a reply outranks read', () => {
    expect(recipientMoves('pending', 'sent')).toBe(true);
    expect(recipientMoves('delivered', 'sent')).toBe(false);
    expect(recipientMoves('sent', 'read')).toBe(true);
    expect(recipientMoves('read', 'replied')).toBe(true);
    expect(recipientMoves('delivered', 'failed')).toBe(false);
    expect(recipientMoves('failed', 'delivered')).toBe(false);
    expect(recipientMoves('skipped', 'sent')).toBe(false);
  });
  it('take parameter values from contact fields or constants, and name the first one missing', () => {
    const contact = { phone: '+393331234567', firstName: 'Maria', fields: { city: 'Roma' } };
    expect(resolveParameters(['1', '2', '3'], { '1': { field: 'firstName' }, '2': { field: 'city' }, '3': { value: 'X' } }, contact)).toEqual({ values: ['Maria', 'Roma', 'X'] });
    expect(resolveParameters(['1'], { '1': { field: 'lastName' } }, contact)).toEqual({ missing: '1' });
  });
});
