// What blocks the event loop, measured without knowing how the app is built: a probe timer notes every
// stretch in which the loop did not turn for longer than a threshold, and V8's sampling profiler (through
// node:inspector) says what ran meanwhile. Each sample inside such a stretch is put on the innermost
// function of the app (dist/src/...) on its stack, or on the runtime ("(garbage collector)", a builtin
// such as JSON.stringify called from outside the app, ...). V8's profile clock and process.hrtime are both
// the monotonic clock, so the two line up (checked: the profile must start within a few ms of the probe).
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface BlockingReport {
  /** Stretches longer than the threshold in which the loop did not turn. */
  blocks: number;
  longestMs: number;
  blockedMs: number;
  /** Where the samples inside those stretches were, most first: "function (file:line)" and share in %. */
  top: { frame: string; share: number }[];
  /** The longest stretches, each with where its samples were (app frames, and leaf frames as V8 names them). */
  worst: { ms: number; top: { frame: string; share: number }[]; leaves: { frame: string; share: number }[] }[];
  /** false when the profile's clock did not line up with the probe's (then `top` is empty). */
  aligned: boolean;
}

const PROBE_MS = 10;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export async function startBlockingProbe(thresholdMs = 100): Promise<{ stop(): Promise<BlockingReport> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1_000 });
  const startedUs = nowUs();
  await session.post('Profiler.start');
  const blocks: { start: number; end: number }[] = [];
  let last = nowUs();
  const timer = setInterval(() => {
    const now = nowUs();
    if (now - last > (PROBE_MS + thresholdMs) * 1000) blocks.push({ start: last + PROBE_MS * 1000, end: now });
    last = now;
  }, PROBE_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
      await session.post('Profiler.disable');
      session.disconnect();
      return analyse(profile, blocks, Math.abs(profile.startTime - startedUs) < 50_000);
    },
  };
}

function analyse(profile: Profile, blocks: { start: number; end: number }[], aligned: boolean): BlockingReport {
  const longest = blocks.reduce<{ start: number; end: number } | null>((a, b) => (!a || b.end - b.start > a.end - a.start ? b : a), null);
  const report: BlockingReport = {
    blocks: blocks.length,
    longestMs: longest ? (longest.end - longest.start) / 1000 : 0,
    blockedMs: blocks.reduce((sum, b) => sum + (b.end - b.start), 0) / 1000,
    top: [],
    worst: [],
    aligned,
  };
  if (!aligned || blocks.length === 0) return report;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = new Map<number, string>();
  const frameOf = (id: number): string => {
    const known = label.get(id);
    if (known) return known;
    // Innermost app frame on the stack; else the leaf as V8 names it.
    let found: string | null = null;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame && frame.url.includes('/dist/src/')) {
        found = `${frame.functionName || '(anonymous)'} (${frame.url.replace(/^.*\/dist\//, '')}:${frame.lineNumber + 1})`;
        break;
      }
    }
    const leaf = byId.get(id)?.callFrame;
    const text = found ?? `${leaf?.functionName || '(anonymous)'}${leaf?.url ? ` (${leaf.url.replace(/^.*\/node_modules\//, '')})` : ''}`;
    label.set(id, text);
    return text;
  };
  const leafOf = (id: number): string => {
    const frame = byId.get(id)?.callFrame;
    return `${frame?.functionName || '(anonymous)'}${frame?.url ? ` (${frame.url.replace(/^.*\/(dist|node_modules)\//, '')})` : ''}`;
  };
  const tally = (ranges: { start: number; end: number }[], name: (id: number) => string = frameOf) => {
    const counts = new Map<string, number>();
    let total = 0;
    let time = profile.startTime;
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    let r = 0;
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    for (let i = 0; i < samples.length; i++) {
      time += deltas[i] ?? 0;
      while (r < sorted.length && (sorted[r]?.end ?? 0) < time) r++;
      const range = sorted[r];
      if (!range || time < range.start) continue;
      const frame = name(samples[i] ?? 0);
      if (frame.startsWith('(idle)')) continue;
      counts.set(frame, (counts.get(frame) ?? 0) + 1);
      total++;
    }
    return [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([frame, n]) => ({ frame, share: Math.round((100 * n) / Math.max(1, total)) }));
  };
  report.top = tally(blocks);
  report.worst = [...blocks]
    .sort((a, b) => b.end - b.start - (a.end - a.start))
    .slice(0, 5)
    .map((block) => ({ ms: Math.round((block.end - block.start) / 1000), top: tally([block]).slice(0, 3), leaves: tally([block], leafOf).slice(0, 2) }));
  return report;
}
