#!/usr/bin/env node
// The CLI's entry point: the bundle built from bin/cluster-doctor.ts by `npm run build` (run on install).
require('../dist/cluster-doctor.js');
