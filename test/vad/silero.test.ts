/**
 * Silero VAD (@ricky0123/vad-web) as the control-flow robustness case: the frontend loads it, and asking
 * the engine to run it fails with an error that names the If node, its subgraphs and the ops inside them that
 * the engine cannot run (the LSTM sits in the branches).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine, findOp, registeredOps } from '../../src/engine/index.js';
import { assertSupported, loadOnnxModel, ModelLoadError } from '../../src/frontends/onnx/index.js';

const DIR = '.cache/data/vad';
const MODELS = ['silero_vad_v5.onnx', 'silero_vad_legacy.onnx'];

describe.each(MODELS)('%s', (file) => {
  const path = `${DIR}/${file}`;
  it.skipIf(!existsSync(path))('loads into a Graph with an If node carrying subgraphs', async () => {
    const graph = await loadOnnxModel(path);
    const ifNode = graph.nodes.find((n) => n.opType === 'If');
    expect(ifNode).toBeDefined();
    expect(Object.keys(ifNode!.attributes).sort()).toEqual(['else_branch', 'then_branch']);
    expect(ifNode!.attributes.then_branch.type).toBe('graph');
  });

  it.skipIf(!existsSync(path))(
    'the Engine constructor names If, its subgraphs and the ops inside it cannot run',
    async () => {
      const graph = await loadOnnxModel(path);
      const ifNode = graph.nodes.find((n) => n.opType === 'If')!;
      const inner = new Set<string>();
      const walk = (g: unknown) => {
        for (const n of (g as { node?: { op_type: string; attribute?: { g?: unknown }[] }[] }).node ?? []) {
          inner.add(n.op_type);
          for (const a of n.attribute ?? []) if (a.g) walk(a.g);
        }
      };
      walk((ifNode.attributes.then_branch as { value: unknown }).value);
      walk((ifNode.attributes.else_branch as { value: unknown }).value);
      expect(inner.has('LSTM')).toBe(true); // the recurrent core sits inside the branches
      const missing = [...inner].filter((t) => !findOp(t)).sort();
      let message = '';
      try {
        new Engine(graph).dispose();
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(`op "If" (node "${ifNode.name}")`);
      expect(message).toMatch(/control flow with subgraphs \(else_branch, then_branch\)/);
      expect(message).toContain(`the subgraphs hold ${inner.size} op type(s)`);
      if (missing.length)
        expect(message).toContain(`without an engine implementation: ${missing.join(', ')}`);
      expect(message).not.toMatch(/did you mean/);
    },
  );

  it.skipIf(!existsSync(path))('assertSupported against the engine ops names If as unsupported', async () => {
    const graph = await loadOnnxModel(path);
    expect(() => assertSupported(graph, registeredOps(), 'the engine')).toThrow(ModelLoadError);
    expect(() => assertSupported(graph, registeredOps(), 'the engine')).toThrow(
      /unsupported op If at node "If_\d+".*for the engine/,
    );
  });
});

it('the VAD models are in the cache (npm run get-data -- vad)', () => {
  for (const f of MODELS)
    expect(existsSync(`${DIR}/${f}`), `${DIR}/${f} missing: run 'bash scripts/get-data.sh vad'`).toBe(true);
});
