"""Exports the real-model zoo: torchvision architectures with seeded random weights, each the two ways
users export (eval() + constant folding, BN folded; training=PRESERVE on an eval model, BN kept) with a
dynamic and a fixed batch. Run by scripts/get-models.sh with Debian's python3 (torch 1.13, torchvision 0.14).

    python3 export-zoo.py OUT_DIR [MODEL...]

Random weights make speed and structure real. BN running statistics are made realistic (not the
0/1 of a fresh model), so a BN fold changes the weights: they are estimated by forwarding seeded random
images in train mode. BN gamma/beta keep their initial 1/0, as in a freshly initialised model: PyTorch
deduplicates equal initializers, so in the PRESERVE export every BN reads them through `Identity` nodes
(the path the issue met). Each file is written
to a temporary name and renamed, so an interrupted run never leaves a half model; existing files are kept.
"""
import json
import os
import sys

import torch
import torchvision.models as tvm

MODELS = {
    'resnet18': tvm.resnet18,
    'resnet50': tvm.resnet50,
    'mobilenet_v2': tvm.mobilenet_v2,
    'mobilenet_v3_small': tvm.mobilenet_v3_small,
    'mobilenet_v3_large': tvm.mobilenet_v3_large,
    'efficientnet_b0': tvm.efficientnet_b0,
    'shufflenet_v2_x1_0': tvm.shufflenet_v2_x1_0,
    'squeezenet1_1': tvm.squeezenet1_1,
}
STYLES = ('folded', 'bn')  # eval() + constant folding | training=PRESERVE (BatchNormalization kept)
BATCHES = ('dyn', 'b1')
SEED = 20261203
OPSET = 14  # torch 1.13's default


def build(name):
    torch.manual_seed(SEED)
    model = MODELS[name](num_classes=1000)
    gen = torch.Generator().manual_seed(SEED + 1)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            bn.momentum = None  # cumulative average over the calibration batches
            bn.reset_running_stats()
        if bns:
            model.train()
            for _ in range(2):
                model(torch.randn(8, 3, 224, 224, generator=gen))
    return model.eval()


def export(model, path, style, batch):
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(SEED + 2))
    kwargs = dict(input_names=['input'], output_names=['logits'], opset_version=OPSET)
    if batch == 'dyn':
        kwargs['dynamic_axes'] = {'input': {0: 'N'}, 'logits': {0: 'N'}}
    if style == 'bn':
        kwargs['training'] = torch.onnx.TrainingMode.PRESERVE
    tmp = path + '.tmp'
    with torch.no_grad():
        torch.onnx.export(model, x, tmp, **kwargs)
    os.replace(tmp, path)


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit(f"export-zoo: unknown model(s) {unknown}; known: {list(MODELS)}")
    os.makedirs(out, exist_ok=True)
    for name in names:
        model = None
        for style in STYLES:
            for batch in BATCHES:
                file = f'{name}-{style}-{batch}.onnx'
                path = os.path.join(out, file)
                if not os.path.exists(path):
                    model = model or build(name)
                    export(model, path, style, batch)
                    print(f'export-zoo: {file}', flush=True)
    # every model of the cache, also those exported by an earlier run
    manifest = [{'model': name, 'style': style, 'batch': batch, 'file': f'{name}-{style}-{batch}.onnx',
                 'input': [1 if batch == 'b1' else 'N', 3, 224, 224]}
                for name in MODELS for style in STYLES for batch in BATCHES
                if os.path.exists(os.path.join(out, f'{name}-{style}-{batch}.onnx'))]
    tmp = os.path.join(out, 'manifest.json.tmp')
    with open(tmp, 'w') as f:
        json.dump({'torch': torch.__version__, 'seed': SEED, 'opset': OPSET, 'models': manifest}, f, indent=1)
    os.replace(tmp, os.path.join(out, 'manifest.json'))


if __name__ == '__main__':
    main()
