/**
 * The worker's Bird pacer on a fake clock: calls of one workspace leave evenly spaced at its share of the limit
 * (never more than the limit in any one-second window, whatever burst arrives), each workspace and kind apart, and a
 * 429 slows the whole workspace until accepted calls win the rate back.
 */
import assert from 'node:assert/strict';
import { BirdPacer } from '../src/bird/rate-limits/pacer';

function fakeClock() {
  const clock = { now: 0, sleep: async (ms: number) => void (clock.now += ms) };
  return clock;
}

describe('Bird pacer', () => {
  it('spaces a burst of calls evenly at headroom × the limit ÷ the workers sharing it', async () => {
    const clock = fakeClock();
    const pacer = new BirdPacer({ getPerSecond: 20, postPerSecond: 500 }, { headroom: 0.95, now: () => clock.now, sleep: clock.sleep });
    pacer.setWorkers('get', 2);
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      await pacer.acquire('ws', 'get');
      times.push(clock.now);
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    for (const g of gaps) assert.ok(Math.abs(g - 1000 / 9.5) < 1e-6, `gap ${g}`);
    assert.equal(pacer.rate('ws', 'get'), 9.5);
    assert.equal(pacer.rate('ws', 'write'), 475, 'writes have their own share and worker count');
    assert.equal(pacer.rate('other', 'get'), 9.5);
  });

  it('a 429 slows every call of the workspace, then accepted calls win the rate back', () => {
    const pacer = new BirdPacer({ getPerSecond: 20, postPerSecond: 500 }, { headroom: 1 });
    pacer.observe('ws', 'get', 429);
    assert.equal(pacer.rate('ws', 'get'), 15);
    assert.equal(pacer.rate('other', 'get'), 20, 'another workspace is not slowed');
    for (let i = 0; i < 10; i++) pacer.observe('ws', 'get', 429);
    assert.equal(pacer.rate('ws', 'get'), 5, 'never below a quarter');
    for (let i = 0; i < 200; i++) pacer.observe('ws', 'get', 200);
    assert.equal(pacer.rate('ws', 'get'), 20);
  });
});
