import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../lib/notify/types';
import { type FailureContext, reportingFailures } from '../../../lib/service/failure-report';
import { FileStateStore } from '../../../lib/state/file-store';
import type { StateStore } from '../../../lib/state/types';

class SecretDenied extends Error {
  override name = 'AccessDeniedException';
}

describe('reportingFailures: one message when failing starts, one when it ends', () => {
  let dir: string;
  let clock: number;
  let sent: OutboundMessage[];
  const logger = new Logger({ logLevel: 'SILENT' });
  const context = (state: StateStore, nightly = false, requestId?: string): FailureContext => ({
    cluster: 'orders-cache',
    role: 'check',
    state,
    sink: { publish: async (m) => void sent.push(m) },
    logger,
    now: () => new Date(clock),
    nightly,
    ...(requestId ? { requestId } : {}),
  });
  const fail = (ctx: FailureContext) =>
    reportingFailures(ctx, async () => {
      throw new Error('could not read the secret', { cause: new SecretDenied('not authorized') });
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-failure-'));
    clock = Date.parse('2026-12-01T10:00:00Z');
    sent = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a day of failing 5-minute runs: one critical, one nightly reminder, one recovery', async () => {
    const state = new FileStateStore(dir);
    for (let tick = 0; tick < 288; tick++) {
      const nightly = tick === 200;
      await expect(fail(context(state, nightly))).rejects.toThrow('could not read the secret');
      clock += 5 * 60_000;
    }
    expect(sent.map((m) => [m.kind, m.severity])).toEqual([
      ['checker-error', 'critical'],
      ['digest', 'warning'],
    ]);
    expect(sent[0]?.email).toContain('failing since 2026-12-01T10:00:00.000Z');
    // The cause chain says what was denied.
    expect(sent[0]?.email).toContain('AccessDeniedException: not authorized');
    expect(sent[1]?.email).toContain('201 failed run(s)');
    expect(await reportingFailures(context(state), async () => 'ok')).toBe('ok');
    expect(sent.slice(2).map((m) => [m.kind, m.severity])).toEqual([['resolved', 'info']]);
    expect(sent[2]?.subject).toMatch(/recovered after 1440 min/);
    expect(await state.loadFailure('orders-cache', 'check')).toBeUndefined();
    await reportingFailures(context(state), async () => 'ok');
    expect(sent).toHaveLength(3);
  });

  it('rethrows the error itself, cause kept', async () => {
    const error = await fail(context(new FileStateStore(dir))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).cause).toBeInstanceOf(SecretDenied);
  });

  it('a state table it cannot read: nothing is published here (the failure reporter reads it and reports once)', async () => {
    const denied: StateStore = {
      ...new FileStateStore(dir),
      load: () => Promise.reject(new Error('denied')),
      save: () => Promise.reject(new Error('denied')),
      loadFailure: () => Promise.reject(new Error('denied')),
      saveFailure: () => Promise.reject(new Error('denied')),
      claimFailure: () => Promise.reject(new Error('denied')),
      loadNotices: () => Promise.reject(new Error('denied')),
      saveNotices: () => Promise.reject(new Error('denied')),
    };
    for (let i = 0; i < 5; i++)
      await expect(fail(context(denied))).rejects.toThrow('could not read the secret');
    expect(sent).toEqual([]);
  });

  it('records the request id it reported, so the failure reporter does not count that failure again', async () => {
    const state = new FileStateStore(dir);
    await expect(fail(context(state, false, 'req-1'))).rejects.toThrow();
    expect(await state.loadFailure('orders-cache', 'check')).toMatchObject({
      failures: 1,
      lastRequestId: 'req-1',
    });
    await expect(fail(context(state, false, 'req-2'))).rejects.toThrow();
    expect(await state.loadFailure('orders-cache', 'check')).toMatchObject({
      failures: 2,
      lastRequestId: 'req-2',
    });
    expect(sent.map((m) => m.kind)).toEqual(['checker-error']);
  });

  it('a publish that fails leaves no record: the failure reporter publishes it', async () => {
    const state = new FileStateStore(dir);
    const ctx = { ...context(state), sink: { publish: () => Promise.reject(new Error('no route to SNS')) } };
    await expect(fail(ctx)).rejects.toThrow('could not read the secret');
    expect(await state.loadFailure('orders-cache', 'check')).toBeUndefined();
  });
});
