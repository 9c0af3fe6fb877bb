/** Adoption records in a directory store: written per apply run, read by every plan, the earlier record winning. */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdoptionRecords } from '../../src/bulk/adoption-records';
import { DirectoryBackend } from '../../src/bulk/object-backend';

const WS = '8F0A1C2E-4B5D-4E6F-8A9B-0C1D2E3F4A5B';

describe('adoption records', () => {
  let dir: string;
  let records: AdoptionRecords;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'adoptions-'));
    records = new AdoptionRecords(new DirectoryBackend(dir), { cacheMs: 60_000 });
  });

  it('says which inventory adopted each connector; a new record is read at once, the earlier one wins', async () => {
    assert.deepEqual(await records.byConnector(WS), new Map());
    await records.record({ workspaceId: WS, inventory: 'team-a', runKey: 'run-1', connectorIds: ['c1', 'c2'] });
    await new Promise((r) => setTimeout(r, 5));
    await records.record({ workspaceId: WS, inventory: 'team-b', runKey: 'run-2', connectorIds: ['c2', 'c3'] });
    assert.deepEqual(
      await records.byConnector(WS.toLowerCase()),
      new Map([
        ['c1', 'team-a'],
        ['c2', 'team-a'],
        ['c3', 'team-b'],
      ]),
    );
    // Another process (the CLI's, another worker's) reads the same objects.
    const elsewhere = new AdoptionRecords(new DirectoryBackend(dir));
    assert.equal((await elsewhere.byConnector(WS)).get('c3'), 'team-b');
  });

  it('a retried record rewrites the same object; nothing is written for no connector', async () => {
    const input = { workspaceId: WS, inventory: 'team-a', runKey: 'run-1', connectorIds: ['c1'] };
    await records.record(input);
    await records.record(input);
    await records.record({ ...input, runKey: 'run-2', connectorIds: [] });
    const backend = new DirectoryBackend(dir);
    assert.deepEqual(await backend.list(`adoptions/${WS.toLowerCase()}`), [`adoptions/${WS.toLowerCase()}/run-1.json`]);
  });

  it('refuses an altered record and a key that could leave its folder, naming them', async () => {
    await assert.rejects(
      records.record({ workspaceId: '../x', inventory: 'a', runKey: 'r', connectorIds: ['c'] }),
      /not a workspace id: "..\/x"/,
    );
    await assert.rejects(
      records.record({ workspaceId: WS, inventory: 'a', runKey: 'r/../../x', connectorIds: ['c'] }),
      /not a run key/,
    );
    await records.record({ workspaceId: WS, inventory: 'team-a', runKey: 'run-1', connectorIds: ['c1'] });
    await writeFile(join(dir, 'adoptions', WS.toLowerCase(), 'run-9.json'), '{"inventory":"x"}');
    const fresh = new AdoptionRecords(new DirectoryBackend(dir));
    await assert.rejects(fresh.byConnector(WS), /run-9\.json was altered: it is not an adoption record/);
  });
});
