import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ENGINE_NAMES } from '../../src/engines/index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const INSTALL = 'apt-get install docker-compose';

/** `docker compose` (the plugin) or `docker-compose` (Debian's), whichever this machine has. */
function composeCommand(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(command[0]!, [...command.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return command;
  }
  return undefined;
}

const command = composeCommand();
const skip =
  command === undefined && process.env.TICKWIRE_REQUIRE_COMPOSE !== '1'
    ? `no docker compose here: ${INSTALL} (no Docker engine is needed to check the file)`
    : false;
if (skip) process.stderr.write(`SKIPPED compose.yaml check: ${skip}\n`);

it('compose.yaml is valid and runs the platform, Redis and every engine', { skip }, () => {
  assert.ok(command !== undefined, `docker compose is required (TICKWIRE_REQUIRE_COMPOSE=1): ${INSTALL}`);
  const run = (...args: string[]) =>
    spawnSync(command[0]!, [...command.slice(1), '-f', `${ROOT}compose.yaml`, ...args], { encoding: 'utf8' });
  const config = run('config');
  assert.equal(config.status, 0, config.stderr);
  const services = run('config', '--services').stdout.trim().split('\n').sort();
  assert.deepEqual(services, ['platform', 'redis', ...ENGINE_NAMES].sort());
  const text = readFileSync(`${ROOT}compose.yaml`, 'utf8');
  // A command is a list of strings, quoted either way.
  const quoted = (word: string) => `['"]${word}['"]`;
  for (const name of ENGINE_NAMES)
    assert.match(text, new RegExp(`\\[${quoted('engine')}, ${quoted(name)}`), `a service runs ${name}`);
  assert.match(
    text,
    new RegExp(`${quoted('--engines')}, ${quoted('none')}`),
    'the platform leaves the engines to their services',
  );
});
