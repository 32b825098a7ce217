/**
 * BootstrapNAS's search loop (NNCF's NSGA2SearchAlgorithm.run + SearchProblem._evaluate): NSGA-II or
 * R-NSGA-II over the handler's design vectors; each new design is activated through the elastic
 * handlers, its BatchNorm statistics adapted (search.batchnorm_adaptation), then scored by two
 * objectives, both minimised: MACs in millions (NNCF's flops / 2e6 of the active subnet) and −top-1
 * (percent). The best subnet is NNCF's: in evaluation order, top-1 above ref_acc − acc_delta and the
 * lowest MACs first reached; none → the maximal subnet.
 *
 * Evaluation runs through the handlers on the engine (no export per subnet): activation only rewrites
 * masks/flags the hooks read, and BN adaptation runs on the engine anyway; the exported standalone
 * subnet computes the same outputs (test/nas/subnet-export.test.ts), so this is exact and saves a graph
 * copy plus an ORT session per evaluation.
 *
 * BN statistics: NNCF adapts each subnet starting from whatever the previous subnet left, so a subnet's
 * score depends on the evaluation order. Here every adaptation starts from the supernet's statistics
 * (restored first), so a subnet's statistics — and top-1 — depend only on the subnet and the data: the
 * search is reproducible and `activate` can re-create any front subnet's exact state for export.
 * The statistics live in the engine's BatchNormalization mean/var weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../../../data/random.js';
import type { MultiElasticityHandler, SubnetConfig } from '../elasticity.js';
import { nsga2, type Nsga2Result } from './nsga2.js';
import { searchParams, type SearchParams, type SearchSection } from './params.js';
import { ReferencePointSurvival } from './reference-survival.js';
import { effectiveAccDelta, selectSubnet } from './select.js';

/** One evaluated subnet: its design vector, configuration, MACs (absolute and NNCF's millions) and top-1 (percent). */
export interface SubnetEvaluation {
  x: number[];
  config: SubnetConfig;
  /** MACs of the subnet's conv/linear layers (NNCF's count: FLOPs / 2). */
  macs: number;
  /** Top-1 on the validation data, in percent (NNCF's validate_fn unit). */
  top1: number;
}

export interface NasSearchOptions {
  handler: MultiElasticityHandler;
  /** The `bootstrapNAS.search` section (NNCF defaults for absent keys) or parameters already parsed. */
  search?: SearchSection | SearchParams;
  /** Top-1 (percent) of the active subnet on the validation data. */
  validate: () => Promise<number> | number;
  /**
   * BatchNorm adaptation of the active subnet (forward passes with BN in train mode); called after the
   * supernet's statistics are restored. Absent: no adaptation (as NNCF without BN-adaptation data).
   */
  adaptBn?: () => Promise<void> | void;
  /** NNCF run(ref_acc): replaces search.ref_acc when given. */
  refAcc?: number;
  /** Receives NNCF's warnings (acc_delta > 5, R-NSGA-II keys under NSGA2). */
  warn?: (message: string) => void;
  /** Called after each evaluation (progress lines). */
  onEvaluated?: (e: SubnetEvaluation, count: number, total: number) => void;
}

export interface NasSearchResult {
  params: SearchParams;
  /** The maximal subnet of the enabled dimensions, evaluated before the search (NNCF's input model value). */
  supernet: SubnetEvaluation;
  /** Every distinct subnet evaluated, in evaluation order. */
  evaluated: SubnetEvaluation[];
  /** The last population's first front, by MACs ascending. */
  front: SubnetEvaluation[];
  /** NNCF's chosen subnet; null when none passed ref_acc − acc_delta (then `bestConfig` is the maximal subnet). */
  best: SubnetEvaluation | null;
  bestConfig: SubnetConfig;
  /** The lower accuracy bound used: ref_acc − acc_delta. */
  accuracyLowerBound: number;
}

const isParams = (s: SearchSection | SearchParams): s is SearchParams => 'numEvals' in s && 'generations' in s;

/**
 * Activates subnets with their adapted BatchNorm statistics and scores them; the search uses one, and
 * a caller exporting a front subnet re-creates its evaluated state with `activate`.
 */
export class SubnetEvaluator {
  private readonly bnStats: Map<string, tf.Tensor>;

  constructor(
    readonly handler: MultiElasticityHandler,
    private readonly validate: () => Promise<number> | number,
    private readonly adaptBn?: () => Promise<void> | void,
  ) {
    // the supernet's running statistics, restored before each adaptation
    const engine = handler.model.engine;
    const names = new Set(engine.weights().map((w) => w.name));
    this.bnStats = new Map();
    if (adaptBn)
      for (const n of handler.model.graph.nodes)
        if (n.opType === 'BatchNormalization')
          for (const name of [n.inputs[3], n.inputs[4]]) if (name && names.has(name) && !this.bnStats.has(name)) this.bnStats.set(name, engine.getWeight(name));
  }

  /** Activates `config` (the handler may resolve it, e.g. drop blocks) and adapts its BN statistics from the supernet's. */
  async activate(config: SubnetConfig): Promise<SubnetConfig> {
    const active = this.handler.activate(config);
    if (this.adaptBn) {
      this.restoreBnStats();
      await this.adaptBn();
    }
    return active;
  }

  /** Puts the supernet's BatchNorm statistics back (the engine's state before the search). */
  restoreBnStats(): void {
    for (const [name, t] of this.bnStats) this.handler.model.engine.setWeight(name, t);
  }

  /** Activates, adapts and scores `config`; the result names the configuration actually active. */
  async evaluate(config: SubnetConfig, x: number[] = []): Promise<SubnetEvaluation> {
    await this.activate(config);
    const top1 = await this.validate();
    return { x, config: this.handler.activeConfig(), macs: this.handler.macs(), top1 };
  }

  dispose(): void {
    for (const t of this.bnStats.values()) t.dispose();
    this.bnStats.clear();
  }
}

/** Runs the search; leaves the chosen subnet active with its adapted BN statistics, as NNCF does. */
export async function runNasSearch(o: NasSearchOptions): Promise<NasSearchResult & { evaluator: SubnetEvaluator }> {
  const warn = o.warn ?? (() => {});
  const params: SearchParams = o.search && isParams(o.search) ? o.search : searchParams((o.search as SearchSection | undefined) ?? {}, warn);
  const refAcc = o.refAcc ?? params.refAcc;
  const accDelta = effectiveAccDelta(params.accDelta, warn);
  const handler = o.handler;
  const { count, upper } = handler.designVars();
  if (count === 0) throw new Error('bootstrapNAS search: the search space is empty (no elastic dimension is enabled)');
  const evaluator = new SubnetEvaluator(handler, o.validate, o.adaptBn);
  try {
    const supernet = await evaluator.evaluate(handler.maximumConfig());
    const evaluated: SubnetEvaluation[] = [];
    const total = params.numEvals;
    const evaluate = async (x: readonly number[]): Promise<number[]> => {
      const e = await evaluator.evaluate(handler.configFromVector(x), [...x]);
      evaluated.push(e);
      o.onEvaluated?.(e, evaluated.length, total);
      return [e.macs / 1e6, -e.top1];
    };
    const bounds = { xl: new Array<number>(count).fill(0), xu: upper };
    let run: Nsga2Result;
    if (params.algorithm === 'RNSGA2') {
      const ref = params.reference!;
      const survival = new ReferencePointSurvival({ refPoints: ref.aspirationPoints, epsilon: ref.epsilon, weights: ref.weights, extremePointsAsRefPoints: ref.extremePointsAsRefPoints });
      run = await nsga2(bounds, evaluate, params, (pool, size, rng: Random) => survival.survive(pool, size, rng));
    } else run = await nsga2(bounds, evaluate, params);
    const byKey = new Map(evaluated.map((e) => [e.x.join(','), e]));
    const front = run.front.map((i) => byKey.get(i.x.join(','))!);
    const best = selectSubnet(
      evaluated.map((e) => ({ ...e, efficiency: e.macs / 1e6, accuracy: e.top1 })),
      refAcc,
      accDelta,
    );
    const chosen = best ? evaluated.find((e) => e.x === best.x)! : null;
    const bestConfig = chosen ? chosen.config : handler.maximumConfig();
    await evaluator.activate(bestConfig);
    return { params: { ...params, refAcc, accDelta }, supernet, evaluated, front, best: chosen, bestConfig, accuracyLowerBound: refAcc - accDelta, evaluator };
  } catch (err) {
    evaluator.dispose();
    throw err;
  }
}
