/**
 * Summarises a V8 CPU profile (from `node --cpu-prof`) as the functions with the most self time and the most total
 * (inclusive) time, with their share of all samples. For finding hot spots that the benchmark points at.
 *
 * Usage: node bin/run-ts.js bench/cpu-profile-summary.ts FILE.cpuprofile [TOP_N] [--under=TEXT]
 * `--under=TEXT` keeps only the samples whose stack has a frame containing TEXT (e.g. `upsertIn`), to break one
 * function's total time down by its callees.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const DEFAULT_TOP_N = 25;
/** Frames that are not work: the idle loop and the profiler's own bookkeeping. */
const NON_WORK_FRAMES = new Set(['(idle)', '(program)', '(garbage collector)']);

const args = process.argv.slice(2);
const under = args.find((arg) => arg.startsWith('--under='))?.slice('--under='.length) ?? null;
const [file, topText] = args.filter((arg) => !arg.startsWith('--'));
if (!file) {
  console.error('usage: cpu-profile-summary.ts FILE.cpuprofile [TOP_N] [--under=TEXT]');
  process.exit(2);
}
const topN = Number(topText ?? DEFAULT_TOP_N);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const { selfMicros, totalMicros, allMicros, idleMicros } = summarise(profile, under);
if (under !== null) console.log(`only samples under a frame containing '${under}'`);

console.log(
  `${(allMicros / 1e6).toFixed(2)} s sampled, of which idle ${(idleMicros / 1e6).toFixed(2)} s; busy ${((allMicros - idleMicros) / 1e6).toFixed(2)} s`,
);
for (const frame of ['(garbage collector)', '(program)']) {
  const share = (selfMicros.get(frame) ?? 0) / (allMicros - idleMicros);
  console.log(`${frame}: ${(share * 100).toFixed(1)}% of busy time`);
}
printTop('self time (share of busy time)', selfMicros, allMicros - idleMicros);
printTop('total time, callees included (share of busy time)', totalMicros, allMicros - idleMicros);

function summarise(cpu: CpuProfile, underText: string | null) {
  const byId = new Map(cpu.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of cpu.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMicros = new Map<string, number>();
  const totalMicros = new Map<string, number>();
  let allMicros = 0;
  let idleMicros = 0;
  cpu.samples.forEach((nodeId, index) => {
    const micros = cpu.timeDeltas[index] ?? 0;
    if (underText !== null && !stackHas(nodeId, underText)) return;
    allMicros += micros;
    const node = byId.get(nodeId)!;
    if (node.callFrame.functionName === '(idle)') idleMicros += micros;
    add(selfMicros, frameKey(node), micros);
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
      const key = frameKey(byId.get(id)!);
      if (seen.has(key)) continue;
      seen.add(key);
      add(totalMicros, key, micros);
    }
  });
  return { selfMicros, totalMicros, allMicros, idleMicros };

  function stackHas(leafId: number, text: string): boolean {
    for (let id: number | undefined = leafId; id !== undefined; id = parentOf.get(id)) {
      if (frameKey(byId.get(id)!).includes(text)) return true;
    }
    return false;
  }
}

function frameKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? ` ${url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where}`;
}

function add(map: Map<string, number>, key: string, micros: number): void {
  map.set(key, (map.get(key) ?? 0) + micros);
}

function printTop(title: string, micros: Map<string, number>, busyMicros: number): void {
  console.log(`\n${title}`);
  const rows = [...micros]
    .filter(([key]) => !NON_WORK_FRAMES.has(key) && key !== '(root)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN);
  for (const [key, value] of rows) {
    console.log(
      `${((value / busyMicros) * 100).toFixed(1).padStart(5)}%  ${(value / 1000).toFixed(0).padStart(6)} ms  ${key}`,
    );
  }
}
