import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * patches/ioredis+6.0.0.patch (applied by `npm install`, postinstall) puts ioredis's command
 * prototype in dictionary mode before its 600 methods are added, and V8 makes it fast again on use.
 * Asked of V8 itself in a fresh node (`%HasFastProperties`), on ioredis as installed and as bundled.
 */
const probe = () =>
  spawnSync(
    'node',
    [
      '--allow-natives-syntax',
      '-e',
      `const { default: Commander } = require('ioredis/built/utils/Commander');
       const loaded = %HasFastProperties(Commander.prototype);
       const { default: Redis } = require('ioredis');
       const redis = new Redis({ lazyConnect: true });
       for (let i = 0; i < 10; i++) redis.get;
       console.log(JSON.stringify({ loaded, used: %HasFastProperties(Commander.prototype),
         methods: ['get', 'getBuffer', 'cluster', 'clusterBuffer', 'migrate', 'call', 'callBuffer']
           .every((name) => typeof redis[name] === 'function') }));
       redis.disconnect();`,
    ],
    { encoding: 'utf8', cwd: process.cwd() },
  );

describe('the ioredis start-up patch', () => {
  it('is applied: the prototype takes its methods in dictionary mode and is fast once used, with every method', () => {
    const run = probe();
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ loaded: false, used: true, methods: true });
  });

  it('reaches the bundles esbuild builds from node_modules', () => {
    expect(readFileSync('node_modules/ioredis/built/utils/Commander.js', 'utf8')).toContain(
      'delete Commander.prototype.__dictionaryMode',
    );
    expect(readFileSync('dist/check-command.js', 'utf8')).toContain('__dictionaryMode');
  });
});
