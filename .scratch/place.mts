import { placeQuantizers } from '../src/algorithms/quantization/placement/index.js';
import { OnnxBuilder } from '../test/helpers/onnx-builder.js';
const b = new OnnxBuilder({ opset: 13, seed: 2 });
const x = b.input('x', ['N', 2, 3, 3]);
const c1 = b.node('Conv', [x, b.randomWeight('c1.w', [2, 2, 1, 1])], {}, { name: 'conv1/Conv' });
const r = b.node('Relu', [c1], {}, { name: 'relu/Relu', outputs: ['relu'] });
const c2 = b.node('Conv', [r, b.randomWeight('c2.w', [2, 2, 1, 1])], {}, { name: 'conv2/Conv' });
const a = b.node('Add', [c2, x], {}, { name: 'add/Add', outputs: ['add'] });
const cat = b.node('Concat', [r, a], { axis: 1 }, { name: 'cat/Concat' });
const c3 = b.node('Conv', [cat, b.randomWeight('c3.w', [2, 4, 1, 1])], {}, { name: 'conv3/Conv' });
b.output(c3, ['N', 2, 3, 3]);
const g = b.toGraph();
for (const dev of ['CPU', 'TRIAL', 'NPU']) {
  const q = placeQuantizers(g, { targetDevice: dev as any }).quantizers;
  console.log(dev, q.filter(q => q.kind === 'activation').map(q => `${q.id} <- ${q.points.map(p => (p as any).tensor ?? '').join(',')}`).join(' ; '));
}
