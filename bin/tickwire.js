#!/usr/bin/env node
// The `tickwire` command. Tickwire runs its TypeScript sources directly through tsx's loader,
// so a checkout works right after `npm install` with no build step to remember.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
