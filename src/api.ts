/**
 * Public entry for compression: registers the algorithms, connects initialization (range statistics
 * on onnxruntime-node or the engine, BatchNorm adaptation) to them, and exports compressed models.
 */
import './algorithms/index.js';
import { setQuantizationInitServices } from './algorithms/quantization/index.js';
import { graphWithEngineWeights, type CompressionController, type CreateResult } from './compression/index.js';
import { AutoQPrecisionInitArgs, BNAdaptationInitArgs, QuantizationPrecisionInitArgs, QuantizationRangeInitArgs } from './config/index.js';
import { exportOnnx, saveOnnx, type OnnxExportOptions } from './exporters/onnx/index.js';
import type { Graph } from './graph/index.js';
import { adaptBatchNormOnEngine, asInitLoader, atModelBatch, newBatchNotes, autoqOnEngine, checkDataFits, collectRangeStatistics, hessianTracesOnEngine, InitializationError, type HessianCriterionFn } from './initialization/index.js';

export { createCompressedModel, type CreateOptions, type CreateResult, type CompressionState } from './compression/index.js';
export { QuantizationController, findQuantizationController, quantizationReport, type QuantizationReport } from './algorithms/quantization/index.js';
export { FilterPruningController, findFilterPruningController, keepPrunedShapes } from './algorithms/pruning/index.js';
export { MovementSparsityController, findMovementSparsityController, removeStructuredMasks } from './algorithms/sparsity/index.js';
export { legrInitArgs, type LegrDataOptions } from './training/index.js';

// a fixed-batch model is fed its own batch in every initialization step; said once per compressed model
const batchNotes = newBatchNotes();

setQuantizationInitServices({
  hasRangeInitData: (config) => config.getExtraStruct(QuantizationRangeInitArgs) !== undefined,
  async collectRanges(model, config, rangeSection, targets, opts) {
    const args = config.getExtraStruct(QuantizationRangeInitArgs);
    const given = asInitLoader(args?.dataLoader, 'QuantizationRangeInitArgs');
    if (given) checkDataFits(model.graph, given);
    const loader = given && atModelBatch(model.graph, given, batchNotes, model);
    // during training the engine holds the current weights; ONNX Runtime would run the graph's initial ones
    const backend = opts?.trained ? 'engine' : (loader?.statisticsBackend ?? 'auto');
    const r = await collectRangeStatistics(model, targets, { rangeSection, loader, backend });
    return { stats: r.stats, backend: r.backend };
  },
  async adaptBatchNorm(model, config, numSamples) {
    const args = config.getExtraStruct(BNAdaptationInitArgs);
    const given = asInitLoader(args?.dataLoader, 'BNAdaptationInitArgs');
    if (given) checkDataFits(model.graph, given);
    const loader = given && atModelBatch(model.graph, given, batchNotes, model);
    return (await adaptBatchNormOnEngine(model, loader, numSamples)).steps;
  },
  async hessianTraces(model, config, weightTensorNames, params) {
    const args = config.getExtraStruct(QuantizationPrecisionInitArgs);
    const given = asInitLoader(args?.dataLoader, 'QuantizationPrecisionInitArgs');
    if (!args || !given)
      throw new InitializationError(
        'HAWQ precision initialization (quantization.initializer.precision.type "hawq") needs labelled data and a criterion: ' +
          'register QuantizationPrecisionInitArgs(criterionFn, criterion, dataLoader) with config.registerExtraStructs ' +
          '(criterionFn(outputs, targets, criterion) gets the first model output and the labels; a criterionFn that is not a function ' +
          'falls back to defaultHessianCriterion, the cross-entropy against integer labels)',
      );
    checkDataFits(model.graph, given);
    const loader = atModelBatch(model.graph, given, batchNotes, model);
    const fn = typeof args.criterionFn === 'function' ? (args.criterionFn as HessianCriterionFn) : undefined;
    const mode = args.traceMode ?? 'train';
    if (mode !== 'train' && mode !== 'eval')
      throw new InitializationError(`QuantizationPrecisionInitArgs.traceMode must be 'train' or 'eval', got ${JSON.stringify(mode)}`);
    const r = await hessianTracesOnEngine(model, loader, weightTensorNames, { ...params, mode }, { fn, criterion: args.criterion });
    return { traces: r.traces, iterations: r.iterations, mode };
  },
  async autoqSearch(model, config, env, params, applyBits) {
    const args = config.getExtraStruct(AutoQPrecisionInitArgs);
    if (!args || typeof args.evalFn !== 'function')
      throw new InitializationError(
        'AutoQ precision initialization (quantization.initializer.precision.type "autoq") needs an evaluation function and data: ' +
          'register AutoQPrecisionInitArgs(dataLoader, evalFn) with config.registerExtraStructs (evalFn(model, loader) returns a score, higher is better; ' +
          'it gets the CompressedModel and eval_subset_ratio of the loader)',
      );
    return autoqOnEngine(model, { dataLoader: args.dataLoader, evalFn: args.evalFn as (m: unknown, l: unknown) => number | Promise<number> }, env, params, applyBits);
  },
});

/** A copy of the model's graph with the engine's current weights (BN statistics included), ready for export edits. */
export function exportGraph(result: Pick<CreateResult, 'model' | 'controller'>): Graph {
  const { model, controller } = result;
  const copy = graphWithEngineWeights(model);
  prepare(controller, copy);
  return copy;
}

function prepare(controller: CompressionController, graph: Graph): void {
  controller.prepareForExport();
  controller.editExportGraph(graph);
}

/** The compressed model as .onnx bytes. */
export function exportCompressedModelBytes(result: Pick<CreateResult, 'model' | 'controller'>, opts: OnnxExportOptions = {}): Uint8Array {
  return exportOnnx(exportGraph(result), opts);
}

/** Writes the compressed model to `path` atomically. */
export function exportCompressedModel(result: Pick<CreateResult, 'model' | 'controller'>, path: string, opts: OnnxExportOptions = {}): void {
  saveOnnx(exportGraph(result), path, opts);
}
