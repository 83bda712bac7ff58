// Summarises the V8 CPU profiles in a directory (from `npm run bench -- --cpu-prof DIR`): for each
// profile, its process (from the file's pid and the stack's run directory is not needed: the profile's
// own top frames say which main.ts ran), the share of sampled time per package or source area, and
// the functions with the most self time.
// usage: node --import tsx bench/report/profile-summary.ts DIR [TOP]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, one of our directories, node's internals, or V8 itself. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const ours = url.match(/\/(webserver|consumer|timer|trigger|worker|common|random-user|exporter)\//);
  return ours ? `${ours[1]}/` : url;
}

/** The process a profile belongs to: the directory of the main.ts it ran. */
function processOf(profile: Profile): string {
  const main = profile.nodes.find((n) => /\/(\w[\w-]*)\/main\.ts$/.test(n.callFrame.url));
  return main ? main.callFrame.url.match(/\/(\w[\w-]*)\/main\.ts$/)![1]! : 'unknown';
}

function summarise(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id)!;
    if (callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const area = areaOf(callFrame.url, callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const name = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(?=\w+\/)/, '')}:${callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${processOf(profile)} (${file.split('/').pop()}): ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle`,
    '  by area:',
    ...sorted(areas).map(([area, us]) => `    ${pct(us)}  ${area}`),
    '  by function (self time):',
    ...sorted(functions).map(([fn, us]) => `    ${pct(us)}  ${fn}`),
  ].join('\n');
}

const [dir, topArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node --import tsx bench/report/profile-summary.ts DIR [TOP]');
  process.exit(2);
}
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort()) {
  console.log(`${summarise(join(dir, file), Number(topArg ?? 12))}\n`);
}
