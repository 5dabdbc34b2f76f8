/**
 * A strict parser of Prometheus's text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/), for tests: it throws, naming the line, on anything
 * a Prometheus server would refuse or that breaks the format's rules: bad names or escapes, a sample before or
 * without its family's TYPE, a family declared twice or split in two, a duplicate series, a histogram whose buckets
 * are not cumulative or whose +Inf bucket differs from its count, a negative counter, no final newline.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string | null;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Parses a whole exposition; families by name. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, MetricFamily>();
  const finished = new Set<string>();
  const seriesSeen = new Set<string>();
  let current: MetricFamily | null = null;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line.slice(0, 80))})`;
    if (line.trim() === '') return;
    const switchTo = (name: string): MetricFamily => {
      if (current?.name === name) return current;
      if (current) finished.add(current.name);
      if (finished.has(name)) throw new Error(`${where}: family ${name} is split in two`);
      let family = families.get(name);
      if (!family) {
        family = { name, type: 'untyped', help: null, samples: [] };
        families.set(name, family);
      }
      current = family;
      return family;
    };
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name, rest] = match as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      const family = switchTo(name);
      if (keyword === 'HELP') {
        if (family.help !== null) throw new Error(`${where}: second HELP for ${name}`);
        family.help = unescapeHelp(rest, where);
      } else {
        if (!TYPES.has(rest as MetricType)) throw new Error(`${where}: unknown type ${rest}`);
        if (family.samples.length > 0 || family.type !== 'untyped') {
          throw new Error(`${where}: TYPE of ${name} must come once, before its samples`);
        }
        family.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, where);
    const familyName = familyOf(sample.name, families);
    const family = switchTo(familyName);
    checkSuffix(family, sample, where);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seriesSeen.has(key)) throw new Error(`${where}: duplicate series`);
    seriesSeen.add(key);
    if (family.type === 'counter' && !(sample.value >= 0)) throw new Error(`${where}: a counter must be >= 0`);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** One value of a family: the sample with exactly these labels (others must not exist), or undefined. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const familyName = familyOf(name, families);
  const family = families.get(familyName);
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return family?.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted)
    ?.value;
}

/** `name_bucket` belongs to histogram `name`, etc.; otherwise the name is its own family. */
function familyOf(sampleName: string, families: Map<string, MetricFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const family = families.get(base);
    if (family && (family.type === 'histogram' || family.type === 'summary')) return base;
  }
  return sampleName;
}

function checkSuffix(family: MetricFamily, sample: Sample, where: string): void {
  if (family.type === 'histogram') {
    if (sample.name === `${family.name}_bucket` && sample.labels.le === undefined) {
      throw new Error(`${where}: a bucket needs an 'le' label`);
    }
    if (![`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`].includes(sample.name)) {
      throw new Error(`${where}: ${sample.name} is not part of histogram ${family.name}`);
    }
  } else if (family.type === 'summary') {
    if (![family.name, `${family.name}_sum`, `${family.name}_count`].includes(sample.name)) {
      throw new Error(`${where}: ${sample.name} is not part of summary ${family.name}`);
    }
  } else if (sample.name !== family.name) {
    throw new Error(`${where}: ${sample.name} outside its family`);
  }
  if (family.type === 'untyped' && family.help === null) {
    throw new Error(`${where}: sample of ${family.name} without HELP or TYPE`);
  }
}

/** Buckets cumulative in `le` order, a +Inf bucket per series equal to its _count. */
function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) entry.buckets.push([parseValue(le!, 'le'), sample.value]);
    if (sample.name.endsWith('_count')) entry.count = sample.value;
  }
  for (const [key, { buckets, count }] of series) {
    const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i += 1) {
      if (sorted[i]![1] < sorted[i - 1]![1]) throw new Error(`${family.name}${key}: buckets are not cumulative`);
    }
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (inf[1] !== count) throw new Error(`${family.name}${key}: +Inf bucket ${inf[1]} differs from count ${count}`);
  }
}

function parseSample(line: string, where: string): Sample {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!nameMatch) throw new Error(`${where}: no metric name`);
  const name = nameMatch[1]!;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const labelMatch = /^([^=]*)="/.exec(rest);
      if (!labelMatch || !LABEL_NAME.test(labelMatch[1]!)) throw new Error(`${where}: bad label`);
      const labelName = labelMatch[1]!;
      if (labelName.startsWith('__')) throw new Error(`${where}: label names starting with __ are reserved`);
      if (labelName in labels) throw new Error(`${where}: label ${labelName} given twice`);
      rest = rest.slice(labelMatch[0].length);
      let value = '';
      for (;;) {
        const char = rest[0];
        if (char === undefined) throw new Error(`${where}: unterminated label value`);
        rest = rest.slice(1);
        if (char === '"') break;
        if (char === '\\') {
          const escaped = rest[0];
          rest = rest.slice(1);
          if (escaped === '\\') value += '\\';
          else if (escaped === '"') value += '"';
          else if (escaped === 'n') value += '\n';
          else throw new Error(`${where}: bad escape \\${escaped}`);
        } else {
          value += char;
        }
      }
      labels[labelName] = value;
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error(`${where}: expected , or } after a label`);
    }
    rest = rest.slice(1);
  }
  const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!valueMatch) throw new Error(`${where}: expected ' value [timestamp]'`);
  return { name, labels, value: parseValue(valueMatch[1]!, where) };
}

/** As Prometheus reads values (Go's strconv.ParseFloat): NaN and Inf in any letter case. */
function parseValue(text: string, where: string): number {
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${text}`);
  return Number(text);
}

function unescapeHelp(text: string, where: string): string {
  return text.replace(/\\(.?)/g, (_, char: string) => {
    if (char === '\\') return '\\';
    if (char === 'n') return '\n';
    throw new Error(`${where}: bad escape in HELP`);
  });
}
