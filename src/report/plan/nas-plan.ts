/**
 * `plan` for a bootstrapNAS config: the elastic dimensions built on the model (width groups with their
 * width lists, elastic kernels with their kernel lists, skippable blocks), the search space (NNCF's
 * design variables: one per elastic conv, one per width group, one for depth; its size is the product
 * of their choice counts), and per progressive-shrinking stage what it trains: the dims enabled, the
 * indicators, the search space that stage samples from and its MACs range. The search runs on the last
 * stage's state, so its space is the last stage's. Builds the handlers only: trains and adapts nothing.
 */
import { createProgressiveShrinking, searchParams, type ElasticityDim, type MultiElasticityHandler, type SearchParams, type SearchSection } from '../../algorithms/nas/index.js';
import { CompressedModel, renderTable } from '../../compression/index.js';
import type { NNCFConfig } from '../../config/index.js';
import { Engine } from '../../engine/index.js';
import type { Graph } from '../../graph/index.js';

export interface NasSpace {
  /** Choices per design variable, in NNCF's order (kernels, width groups, depth). */
  choices: number[];
  /** Product of the choices: the number of distinct design vectors. */
  size: number;
  /** MACs of the largest and the smallest subnet of this space (conv/linear, NNCF's count). */
  macs_max: number;
  macs_min: number;
}

export interface NasStagePlan extends NasSpace {
  stage: number;
  /** First epoch of the stage (stages run back to back). */
  first_epoch: number;
  epochs: number;
  train_dims: ElasticityDim[];
  depth_indicator: number;
  width_indicator: number;
  reorg_weights: boolean;
  bn_adapt: boolean;
  init_lr: number | null;
  epochs_lr: number | null;
  sample_rate: number;
  /** The widths per group, kernels per conv and skip sets this stage samples. */
  search_space: ReturnType<MultiElasticityHandler['searchSpace']>;
}

export interface NasPlan {
  kind: 'bootstrapNAS';
  model: string;
  config: string;
  dims: ElasticityDim[];
  width: { group: number; layers: string[]; widths: number[] }[];
  kernel: { node: string; kernels: number[] }[];
  depth: { block: number; start: string; end: string }[];
  /** Every dimension enabled with all its choices (no indicator cut). */
  full_space: NasSpace;
  /** What the search explores: the last stage's state. */
  search_space: NasSpace;
  search: SearchParams;
  stages: NasStagePlan[];
  notes: string[];
}

function space(h: MultiElasticityHandler): NasSpace {
  const { upper } = h.designVars();
  const choices = upper.map((u) => u + 1);
  const before = h.activeConfig();
  h.activateMaximum();
  const max = h.macs();
  h.activateMinimum();
  const min = h.macs();
  h.activate(before);
  return { choices, size: choices.reduce((a, b) => a * b, 1), macs_max: max, macs_min: min };
}

export function buildNasPlan(graph: Graph, config: NNCFConfig, names: { model: string; config: string }): NasPlan {
  const notes: string[] = [];
  const model = new CompressedModel(graph, new Engine(graph));
  // bnAdapt: given so stages with bn_adapt validate; plan never enters a stage, so it never runs
  const nas = createProgressiveShrinking(model, config, { stepsPerEpoch: 1, bnAdapt: async () => {}, log: (l) => notes.push(l) });
  const { handler: h, controller, stages } = nas;
  try {
    const dims = h.availableDims();
    const width = h.dims.width as (NonNullable<typeof h.dims.width> & { widthLists: number[][]; widthIndicator: number }) | undefined;
    const depth = h.dims.depth as (NonNullable<typeof h.dims.depth> & { blocks: { start: string; end: string }[]; depthIndicator: number }) | undefined;
    // the full lists: every dim on, no indicator cut
    for (const d of dims) h.enable(d, true);
    if (width) width.widthIndicator = -1;
    if (depth) depth.depthIndicator = Math.max(1, depth.blocks.length);
    const full = space(h);
    const widthRows = width
      ? width.analysis.groups.map((g, i) => ({ group: i, layers: g.members.map((m) => m.node.name), widths: [...width.widthLists[i]] }))
      : [];
    const kernelRows = h.dims.kernel ? [...h.dims.kernel.activeKernels().keys()].map((node, i) => ({ node, kernels: h.dims.kernel!.searchSpace()[i] })) : [];
    const depthRows = depth ? depth.blocks.map((b, i) => ({ block: i, start: b.start, end: b.end })) : [];
    let epoch = 0;
    const stagePlans: NasStagePlan[] = stages.map((s, i) => {
      void controller.setStage(s, false);
      const p: NasStagePlan = {
        stage: i,
        first_epoch: epoch,
        epochs: s.epochs,
        train_dims: [...s.train_dims],
        depth_indicator: s.depth_indicator,
        width_indicator: s.width_indicator,
        reorg_weights: s.reorg_weights,
        bn_adapt: s.bn_adapt,
        init_lr: s.init_lr ?? null,
        epochs_lr: s.epochs_lr ?? null,
        sample_rate: s.sample_rate,
        search_space: h.searchSpace(),
        ...space(h),
      };
      epoch += s.epochs;
      return p;
    });
    const last = stagePlans.at(-1);
    // as written: the resolved config has NNCF's defaults of every key, R-NSGA-II's too
    const section = (config.document.bootstrapNAS as { search?: SearchSection } | undefined)?.search;
    return {
      kind: 'bootstrapNAS',
      model: names.model,
      config: names.config,
      dims,
      width: widthRows,
      kernel: kernelRows,
      depth: depthRows,
      full_space: full,
      search_space: last ? { choices: last.choices, size: last.size, macs_max: last.macs_max, macs_min: last.macs_min } : full,
      search: searchParams(section ?? {}, (m) => notes.push(m)),
      stages: stagePlans,
      notes,
    };
  } finally {
    h.dispose();
    model.engine.dispose();
  }
}

const mmacs = (v: number) => (v / 1e6).toFixed(4);

export function renderNasPlan(p: NasPlan): string {
  const out: string[] = [`BootstrapNAS plan: ${p.model} with ${p.config}`, `elastic dimensions: ${p.dims.join(', ') || 'none'}`];
  if (p.width.length)
    out.push(renderTable({ title: 'Elastic width (pruning groups)', header: ['group', 'layers', 'first layer', 'widths'], rows: p.width.map((w) => [w.group, w.layers.length, w.layers[0] ?? '', w.widths.join(', ')]) }));
  if (p.kernel.length) out.push(renderTable({ title: 'Elastic kernel', header: ['conv', 'kernels'], rows: p.kernel.map((k) => [k.node, k.kernels.join(', ')]) }));
  if (p.depth.length) out.push(renderTable({ title: 'Skippable blocks', header: ['block', 'start', 'end'], rows: p.depth.map((d) => [d.block, d.start, d.end]) }));
  out.push(
    renderTable({
      title: 'Progressive shrinking stages',
      header: ['stage', 'epochs', 'train dims', 'depth ind.', 'width ind.', 'reorg', 'bn adapt', 'init_lr', 'space size', 'MMACs max', 'MMACs min'],
      rows: p.stages.map((s) => [s.stage, `${s.first_epoch}–${s.first_epoch + s.epochs - 1}`, s.train_dims.join(', '), s.depth_indicator, s.width_indicator, String(s.reorg_weights), String(s.bn_adapt), s.init_lr === null ? '-' : String(s.init_lr), s.size, mmacs(s.macs_max), mmacs(s.macs_min)]),
    }),
  );
  const s = p.search;
  out.push(
    `search space: ${p.search_space.size} subnets (${p.search_space.choices.length} design variables; all dims, all choices: ${p.full_space.size}); MMACs ${mmacs(p.search_space.macs_min)}–${mmacs(p.search_space.macs_max)}`,
    `search: ${s.algorithm}, population ${s.population}, num_evals ${s.numEvals} (${s.generations} generations), crossover ${s.crossoverProb}/η ${s.crossoverEta}, mutation ${s.mutationProb}/η ${s.mutationEta}, ref_acc ${s.refAcc}, acc_delta ${s.accDelta}, BN adaptation ${s.bnAdaptationSamples} samples per subnet`,
  );
  for (const n of p.notes) out.push(`note: ${n}`);
  return out.join('\n');
}
