"""PyTorch side of `npm run bench:engine` (training step, side by side with the ORT training graph).

  python3 torch_train.py export-resnet18 OUT.onnx   torchvision resnet18 at 64x64 as ONNX, BatchNormalization
                                                    kept (TrainingMode.PRESERVE), dynamic batch, written atomically
  python3 torch_train.py serve MODEL BATCH          MODEL = fashion | resnet18; then reads lines
                                                    "THREADS STEPS" on stdin and answers each with one JSON line
                                                    {"ms": [...], "cpu": [...]} (wall and process CPU time of one SGD step each: forward, cross-entropy,
                                                    backward, update), so the caller can interleave its runs

Run with MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456:
glibc's default malloc makes PyTorch's step time swing 2-5x on these machines (engine-notes.md).
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20261204


class FashionCnn(nn.Module):
    """The architecture of examples/fashion-mnist/model.onnx (stem 16, residual 16, down 32, depthwise, 144, head)."""

    def __init__(self):
        super().__init__()

        def cbn(ci, co, k=3, s=1, g=1):
            return nn.Sequential(nn.Conv2d(ci, co, k, s, k // 2, groups=g, bias=False), nn.BatchNorm2d(co))

        self.stem, self.c1, self.c2 = cbn(1, 16), cbn(16, 16), cbn(16, 16)
        self.down, self.dw, self.pw, self.head = cbn(16, 32, s=2), cbn(32, 32, g=32), cbn(32, 144, k=1), cbn(144, 144)
        self.fc = nn.Linear(144, 10)

    def forward(self, x):
        a = F.relu(self.stem(x))
        b = F.relu(self.c2(F.relu(self.c1(a))) + a)
        b = F.relu(self.pw(F.relu(self.dw(F.relu(self.down(b))))))
        b = F.relu(self.head(F.max_pool2d(b, 2)))
        return self.fc(b.mean(dim=(2, 3)))


def resnet18():
    import torchvision
    torch.manual_seed(SEED)
    model = torchvision.models.resnet18(num_classes=1000)
    # Distinct BN values: torch.onnx folds equal initializers (fresh γ=1, β=0, μ=0, σ²=1) into Identity
    # nodes sharing one tensor, which would hide them from the compiler's parameter and state roles.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.9, 1.1)
    return model


def export_resnet18(path):
    model = resnet18().eval()
    tmp = path + '.tmp'
    with torch.no_grad():
        torch.onnx.export(model, torch.zeros(1, 3, 64, 64), tmp, input_names=['input'], output_names=['logits'],
                          opset_version=14, training=torch.onnx.TrainingMode.PRESERVE,
                          dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}})
    os.replace(tmp, path)


def serve(name, batch):
    torch.manual_seed(SEED)
    net = FashionCnn() if name == 'fashion' else resnet18()
    shape = (batch, 1, 28, 28) if name == 'fashion' else (batch, 3, 64, 64)
    gen = torch.Generator().manual_seed(SEED + 1)
    x = torch.randn(*shape, generator=gen)
    y = torch.randint(0, 10, (batch,), generator=gen)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    net.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    print(json.dumps({'ready': True, 'torch': torch.__version__}), flush=True)
    for line in sys.stdin:
        threads, steps = (int(v) for v in line.split())
        torch.set_num_threads(threads)
        ms, cpu = [], []
        for _ in range(steps):
            t0, c0 = time.perf_counter(), time.process_time()
            step()
            ms.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        print(json.dumps({'ms': ms, 'cpu': cpu}), flush=True)


if __name__ == '__main__':
    if sys.argv[1] == 'export-resnet18':
        export_resnet18(sys.argv[2])
    elif sys.argv[1] == 'serve':
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(f'torch_train.py: unknown command {sys.argv[1]!r} (export-resnet18 | serve)')
