/**
 * The Bird queue worker's activity slots (src/bird/rate-limits/pacer-shares.ts): a slot, and so a poll for a task, is granted only
 * while few calls wait in the worker's pacer, so a backlog stays in the server for a worker with room; the held
 * slots stay within the configured maximum.
 */
import assert from 'node:assert/strict';
import type { SlotPermit, SlotReserveContext } from '@temporalio/worker';
import { BirdPacer } from '../src/bird/rate-limits/pacer';
import { CALLS_AHEAD, pacedActivitySlots } from '../src/bird/rate-limits/pacer-shares';

const ctx = {} as SlotReserveContext;
const used = (permit: SlotPermit) => ({
  permit,
  slotInfo: { type: 'activity' as const, activityType: 'getConnectorStatus' },
});
const settled = async <T>(p: Promise<T>) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);

function pacerWithGates() {
  let now = 0;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  const pacer = new BirdPacer(
    { getPerSecond: 10, postPerSecond: 500 },
    { headroom: 1, now: () => now, sleep: (ms) => new Promise<void>((wake) => sleepers.push({ at: now + ms, wake })) },
  );
  /** Moves the clock to the first sleeper's time and wakes it. */
  const next = () => {
    const s = sleepers.shift()!;
    now = Math.max(now, s.at);
    s.wake();
  };
  return { pacer, next };
}

describe('paced activity slots of a Bird queue worker', () => {
  it('polls for no more tasks while its pacer holds enough calls, and again once one leaves', async () => {
    const { pacer, next } = pacerWithGates();
    const slots = pacedActivitySlots(pacer, 'get', 100);
    const never = new AbortController().signal;
    assert.equal(CALLS_AHEAD, 2);
    // Two polls out, no task yet: a third would let a burst land here.
    const permits = [await slots.reserveSlot(ctx, never), await slots.reserveSlot(ctx, never)];
    const third = slots.reserveSlot(ctx, never);
    assert.equal(await settled(third), false, 'no third poll while two are out');
    assert.equal(slots.tryReserveSlot(ctx), null, 'nor an eager task');
    // Tasks arrive: the first call goes at once, the second waits for its turn in the pacer.
    slots.markSlotUsed(used(permits[0]!));
    await pacer.acquire('ws', 'get');
    assert.equal(await settled(third), true, 'a task that went at once frees room for a poll');
    slots.markSlotUsed(used(permits[1]!));
    const waitingCalls = [pacer.acquire('ws', 'get'), pacer.acquire('ws', 'get'), pacer.acquire('ws', 'get')];
    // Three calls wait in one workspace: room for CALLS_AHEAD × (1 + 1) = 4 ahead, one poll is out.
    const fourth = slots.reserveSlot(ctx, never);
    assert.equal(await settled(fourth), false, 'three waiting and one poll out fill the room');
    next();
    await waitingCalls[0];
    assert.equal(await settled(fourth), true, 'a call leaving its pacer opens room for one more');
  });

  it('keeps the held slots within the maximum, and gives up a reservation when the SDK aborts it', async () => {
    const { pacer } = pacerWithGates();
    const slots = pacedActivitySlots(pacer, 'get', 1);
    const permit = await slots.reserveSlot(ctx, new AbortController().signal);
    slots.markSlotUsed(used(permit));
    const abort = new AbortController();
    const second = slots.reserveSlot(ctx, abort.signal);
    assert.equal(await settled(second), false, 'one slot held: no other');
    abort.abort(Object.assign(new Error('poller stopped'), { name: 'AbortError' }));
    await assert.rejects(second, { name: 'AbortError' });
    slots.releaseSlot(used(permit));
    assert.notEqual(slots.tryReserveSlot(ctx), null, 'the released slot is free again');
  });
});
