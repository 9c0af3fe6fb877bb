/**
 * The simulator's two models of Bird's rate limit, on a fake clock: the token bucket lets up to twice the rate
 * through in one second (a full bucket, then its refill), the sliding window never more than the rate in any
 * one-second window. And the setting that picks the model.
 */
import assert from 'node:assert/strict';
import { parseSimEnv } from '../src/bird-sim/env';
import { RateLimiter, type RateLimitWindow } from '../src/bird-sim/rate-limits';

/** Offers a request every `everyMs` for `forMs` and returns the times of those accepted. */
function offer(window: RateLimitWindow, perSecond: number, everyMs: number, forMs: number): number[] {
  let now = 0;
  const limiter = new RateLimiter({ getPerSecond: perSecond, postPerSecond: perSecond, window }, () => now);
  const accepted: number[] = [];
  for (; now < forMs; now += everyMs) if (limiter.take('ws', 'GET').ok) accepted.push(now);
  return accepted;
}

/** The most requests accepted in any one-second window (t - 1000, t]. */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[i]! <= times[j]! - 1000) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe("the simulator's rate-limit models", () => {
  it('token bucket: the long-run rate is the limit, but one second can see nearly twice as many', () => {
    const accepted = offer('token-bucket', 20, 5, 10_000);
    assert.ok(busiestSecond(accepted) >= 38, `busiest second ${busiestSecond(accepted)}`);
    assert.ok(accepted.length <= 20 * 10 + 20 + 1);
  });

  it('sliding window: never more than the limit in any one-second window, yet the whole limit over time', () => {
    const accepted = offer('sliding-window', 20, 5, 10_000);
    assert.equal(busiestSecond(accepted), 20);
    assert.ok(accepted.length >= 20 * 10 - 1, `${accepted.length} accepted in 10 s`);
  });

  it('sliding window: Retry-After is the wait until the oldest request leaves the window, GET and POST apart', () => {
    let now = 0;
    const limiter = new RateLimiter({ getPerSecond: 2, postPerSecond: 1, window: 'sliding-window' }, () => now);
    assert.ok(limiter.take('ws', 'GET').ok);
    now = 400;
    assert.ok(limiter.take('ws', 'GET').ok);
    assert.ok(limiter.take('ws', 'POST').ok, 'writes have their own budget');
    assert.ok(limiter.take('other', 'GET').ok, 'and so does each workspace');
    assert.deepEqual(limiter.take('ws', 'GET'), { ok: false, retryAfterSeconds: 1 });
    now = 1_000;
    assert.ok(limiter.take('ws', 'GET').ok, 'the first request has left the window');
    assert.equal(limiter.take('ws', 'GET').ok, false);
  });

  it('BIRD_SIM_RATE_LIMIT_WINDOW picks the model; a bad value is named', () => {
    const strict = parseSimEnv({
      BIRD_SIM_RATE_LIMIT_GET_PER_SECOND: '10',
      BIRD_SIM_RATE_LIMIT_WINDOW: 'sliding-window',
    });
    assert.deepEqual(strict.options.rateLimits, { getPerSecond: 10, postPerSecond: 500, window: 'sliding-window' });
    assert.equal(parseSimEnv({ BIRD_SIM_RATE_LIMIT_GET_PER_SECOND: '10' }).options.rateLimits?.window, 'token-bucket');
    assert.throws(() => parseSimEnv({ BIRD_SIM_RATE_LIMIT_WINDOW: 'leaky' }), /BIRD_SIM_RATE_LIMIT_WINDOW/);
  });
});
