/**
 * npm run bench -- [--only a,b] [--skip a,b] [--write-docs]
 *
 * Runs every bench part (bench/suite/parts.ts) as its own npm script, one after another, prints one table,
 * writes bench/results/latest.json atomically and, with --write-docs, docs/benchmarks.md from the same
 * result. Parts that cannot run yet are listed with the reason, never with a number.
 */
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/data/fs.js';
import { mkdirSync } from 'node:fs';
import { commandOf, runPart } from './suite/child.js';
import { machineInfo } from './suite/machine.js';
import { missing, PARTS } from './suite/parts.js';
import { markdown, textTable } from './suite/report.js';
import type { PartResult, SuiteResult } from './suite/types.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    skip: { type: 'string' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const list = (s?: string) => (s ? s.split(',').map((x) => x.trim()) : []);
const only = list(args.only);
const skip = list(args.skip);
for (const n of [...only, ...skip])
  if (!PARTS.some((p) => p.name === n))
    throw new Error(`unknown part '${n}' (parts: ${PARTS.map((p) => p.name).join(', ')})`);

const log = (s: string) => process.stderr.write(`${s}\n`);
const startedAt = new Date().toISOString();
const t0 = performance.now();
const machine = machineInfo();
const parts: (PartResult & { log?: string })[] = [];

for (const p of PARTS) {
  if ((only.length && !only.includes(p.name)) || skip.includes(p.name)) continue;
  const gone = missing(p);
  if (gone) {
    log(`${p.name}: not available yet: ${gone}`);
    parts.push({
      part: p.name,
      title: p.title,
      status: 'skipped',
      reason: `not available yet: ${gone}`,
      command: commandOf(p),
      rows: [],
      seconds: 0,
    });
    continue;
  }
  log(`${p.name}: ${commandOf(p)}`);
  const r = await runPart(p, log);
  log(`${p.name}: ${r.status}${r.reason ? ` (${r.reason})` : ''} in ${r.seconds.toFixed(1)} s`);
  parts.push(r);
}

const result: SuiteResult = { startedAt, seconds: (performance.now() - t0) / 1000, machine, parts };
console.log(
  `\nnpm run bench — ${startedAt}, ${(result.seconds / 60).toFixed(1)} min, ${machine.nproc} × ${machine.cpu}, Node ${machine.node}\n`,
);
console.log(textTable(result));
mkdirSync('bench/results', { recursive: true });
await writeFileAtomic('bench/results/latest.json', `${JSON.stringify(result, null, 2)}\n`);
console.log('\nwrote bench/results/latest.json');

if (args['write-docs']) {
  const partial =
    only.length || skip.length
      ? ` ${process.argv
          .slice(2)
          .filter((a) => a !== '--write-docs')
          .join(' ')}`
      : '';
  const commands = [
    'npm install',
    'npm run get-data',
    `npm run bench -- --write-docs${partial}`,
    '',
    '# each part alone:',
    ...PARTS.map(commandOf),
  ];
  mkdirSync('docs', { recursive: true });
  await writeFileAtomic('docs/benchmarks.md', markdown(result, commands));
  console.log('wrote docs/benchmarks.md');
}
