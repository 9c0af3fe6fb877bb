/**
 * The worker's Bird pacer on a fake clock: calls of one workspace leave evenly spaced at its share of the limit
 * (never more than the limit in any one-second window, whatever burst arrives), each workspace and kind apart, and a
 * 429 slows the whole workspace until accepted calls win the rate back; a turn beyond the call's longest wait is
 * not taken, and idle lanes are forgotten.
 */
import assert from 'node:assert/strict';
import { BirdPacer, IDLE_LANE_MS } from '../src/bird/rate-limits/pacer';

function fakeClock() {
  const clock = { now: 0, sleep: async (ms: number) => void (clock.now += ms) };
  return clock;
}

/** A clock whose sleepers wake only when the test advances it (a stall is an advance past several turns). */
function heldClock() {
  const t = {
    now: 0,
    sleepers: [] as Array<{ at: number; wake: () => void }>,
    sleep: (ms: number) => new Promise<void>((wake) => t.sleepers.push({ at: t.now + ms, wake })),
    async advance(ms: number) {
      t.now += ms;
      for (let round = 0; round < 10; round++) {
        const due = t.sleepers.filter((s) => s.at <= t.now + 1e-9);
        t.sleepers = t.sleepers.filter((s) => s.at > t.now + 1e-9);
        for (const s of due) s.wake();
        await new Promise((r) => setImmediate(r));
      }
    },
  };
  return t;
}

describe('Bird pacer', () => {
  it('spaces a burst of calls evenly at headroom × the limit ÷ the workers sharing it', async () => {
    const clock = fakeClock();
    const pacer = new BirdPacer(
      { getPerSecond: 20, postPerSecond: 500 },
      { headroom: 0.95, now: () => clock.now, sleep: clock.sleep },
    );
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

  it('a call whose turn is further than it may wait takes no turn and is told how far it is', async () => {
    const t = heldClock();
    const pacer = new BirdPacer(
      { getPerSecond: 10, postPerSecond: 500 },
      { headroom: 1, now: () => t.now, sleep: t.sleep },
    );
    const queued = Array.from({ length: 5 }, () => pacer.acquire('ws', 'get', 450));
    assert.deepEqual(
      await pacer.acquire('ws', 'get', 450),
      { waitMs: 500 },
      'four wait for 100..400 ms, the next would go at 500',
    );
    assert.deepEqual(await pacer.acquire('ws', 'get', 450), { waitMs: 500 }, 'the refused call took no turn');
    for (let i = 0; i < 4; i++) await t.advance(100);
    for (const q of queued) assert.deepEqual(await q, {});
  });

  it('spaces calls from when the previous one actually left: a stalled event loop does not send a bunch', async () => {
    const t = heldClock();
    const pacer = new BirdPacer(
      { getPerSecond: 10, postPerSecond: 500 },
      { headroom: 1, now: () => t.now, sleep: t.sleep },
    );
    await pacer.acquire('ws', 'get');
    const left: number[] = [0];
    const calls = Array.from({ length: 3 }, () => pacer.acquire('ws', 'get').then(() => left.push(t.now)));
    // The process stalls for 350 ms: the turns at 100, 200 and 300 ms pass unserved.
    await t.advance(350);
    await t.advance(100);
    await t.advance(100);
    await Promise.all(calls);
    assert.deepEqual(left, [0, 350, 450, 550]);
  });

  it('counts the calls waiting for their turn, per kind, and tells when one leaves', async () => {
    const t = heldClock();
    const pacer = new BirdPacer(
      { getPerSecond: 10, postPerSecond: 500 },
      { headroom: 1, now: () => t.now, sleep: t.sleep },
    );
    let left = 0;
    pacer.onLeave(() => (left += 1));
    await pacer.acquire('a', 'get');
    const queued = [
      pacer.acquire('a', 'get'),
      pacer.acquire('a', 'get'),
      pacer.acquire('b', 'get'),
      pacer.acquire('b', 'write'),
    ];
    assert.deepEqual(pacer.waiting('get'), { calls: 2, lanes: 1 }, "b's first GET and first write go at once");
    await t.advance(100);
    await queued[0];
    assert.deepEqual(pacer.waiting('get'), { calls: 1, lanes: 1 });
    assert.equal(left, 1);
    await t.advance(100);
    await Promise.all(queued);
    assert.deepEqual(pacer.waiting('get'), { calls: 0, lanes: 0 });
  });

  it('forgets a lane idle for a minute: the map does not grow with every workspace served', async () => {
    const clock = fakeClock();
    const pacer = new BirdPacer({ getPerSecond: 10, postPerSecond: 500 }, { now: () => clock.now, sleep: clock.sleep });
    clock.now = IDLE_LANE_MS;
    for (let i = 0; i < 1000; i++) await pacer.acquire(`ws-${i}`, 'get');
    pacer.observe('slowed', 'get', 429);
    assert.equal(pacer.lanes, 1001);
    clock.now += IDLE_LANE_MS;
    await pacer.acquire('busy', 'get');
    assert.equal(pacer.lanes, 1, 'only the lane just used is left');
    assert.equal(pacer.rate('slowed', 'get'), 9.5, 'a 429 a minute old no longer slows the workspace');
  });
});
