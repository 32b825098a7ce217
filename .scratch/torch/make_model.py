"""Guessed 'seed-0 small CNN' of issue 17 + PyTorch autograd Hutchinson traces (train and eval mode)."""
import sys, json
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1); self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1); self.bn2 = nn.BatchNorm2d(8)
        self.conv3 = nn.Conv2d(8, 8, 3, padding=1); self.bn3 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(16, 10)
    def forward(self, x):
        p = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        r2 = F.relu(self.bn2(self.conv2(p)))
        r3 = F.relu(self.bn3(self.conv3(r2)))
        a = r3 + p
        c = torch.cat([r2, a], 1)
        g = c.mean(dim=(2, 3))
        return self.fc(g)

torch.manual_seed(0)
net = Net()
x = torch.randn(16, 3, 16, 16)
y = torch.randint(0, 10, (16,))
np.save('x.npy', x.numpy()); np.save('labels.npy', y.numpy().astype(np.int64))
net.eval()
torch.onnx.export(net, x[:1], 'model.onnx', input_names=['x'], output_names=['logits'], dynamic_axes={'x': {0: 'N'}, 'logits': {0: 'N'}},
                  do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE, opset_version=13)
names = ['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc.weight']
params = [dict(net.named_parameters())[n] for n in names]
state = {k: v.clone() for k, v in net.state_dict().items()}

def traces(mode, iters, seed):
    net.load_state_dict(state)
    net.train(mode == 'train')
    g = torch.Generator().manual_seed(seed)
    per_iter = []
    for it in range(iters):
        v = [torch.randint(0, 2, p.shape, generator=g).float() * 2 - 1 for p in params]
        acc = [torch.zeros_like(p) for p in params]
        for b in range(2):
            out = net(x[b * 8:(b + 1) * 8])
            loss = F.cross_entropy(out, y[b * 8:(b + 1) * 8])
            grads = torch.autograd.grad(loss, params, create_graph=True)
            hv = torch.autograd.grad(grads, params, grad_outputs=v)
            acc = [a + h for a, h in zip(acc, hv)]
        per_iter.append([float((a / 2 * vv).sum() / a.numel()) for a, vv in zip(acc, v)])
    a = np.array(per_iter)
    return a.mean(0), a.std(0, ddof=1) / np.sqrt(iters)

res = {}
for mode in ['train', 'eval']:
    m, se = traces(mode, int(sys.argv[1]) if len(sys.argv) > 1 else 2000, 1)
    res[mode] = {'mean': m.tolist(), 'se': se.tolist()}
    print(mode, ' '.join(f'{a:.5f}±{b:.5f}' for a, b in zip(m, se)))
net.load_state_dict(state)
json.dump(res, open('torch_traces.json', 'w'))
