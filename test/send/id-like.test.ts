/** Fresh ids for samples keep the shape of the provider's own ids. */
import { describe, expect, it } from 'vitest';
import { findSample, indexedProvider, catalogIndex } from '../../src/records/sample-catalog.js';
import { idLike } from '../../src/send/id-like.js';

describe('idLike', () => {
  it.each([
    ['evt_3SpQ2mLkdIwHu7ix0Kc4Ab9Z', /^evt_[0-9A-Za-z]{24}$/],
    ['evt_01hv8x2acma2gz0ktxnk5gwrsb', /^evt_[0-9a-z]{26}$/],
    ['13b867cf-db3d-4b1c-90b6-2f32a9d78124', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/],
    ['notif_ccfd6fb4-9f5c-4d2e-8a1b-3c2d1e0f9a8b', /^notif_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/],
    ['1234567890123456789', /^[1-9][0-9]{18}$/],
    ['SMa1b2c3d4e5f60718293a4b5c6d7e8f90', /^SM[0-9a-f]{32}$/],
  ])('%s', (sample, shape) => {
    const next = idLike(sample);
    const ids = new Set(Array.from({ length: 20 }, () => next()));
    expect(ids.size).toBe(20);
    for (const id of ids) expect(id).toMatch(shape);
  });

  it('every sample id in the catalog gets fresh ids of its own length', () => {
    for (const name of Object.keys(catalogIndex().providers)) {
      const sample = findSample(name, indexedProvider(name)!.defaultEvent)!;
      if (!sample.id) continue;
      const fresh = idLike(sample.id)();
      expect(fresh.length, name).toBe(sample.id.length);
      expect(fresh, name).not.toBe(sample.id);
    }
  });
});
