"""Exports a tiny BERT-style encoder written like Hugging Face's BertLayer (self-attention with
query/key/value/dense, transpose_for_scores computing the head shape from x.size(), LayerNorm, GELU
intermediate/output) with seeded random weights, no downloads, as PyTorch's ONNX exporter writes it:
Linear on 3-D input = MatMul with a transposed weight + Add of the bias, head shapes built at run time
from Shape/Gather/Concat. Two files: a fixed input shape (the exporter folds the shapes) and a dynamic
batch/sequence (the shapes stay Shape ops). Run with Debian's python3 (torch 1.13):

    /usr/bin/python3 scripts/export-tiny-bert.py OUT_DIR

Each file is written to a temporary name and renamed.
"""
import math
import os
import sys

import torch
from torch import nn

SEED = 20261204
D, HEADS, FF, LAYERS, SEQ = 32, 4, 64, 2, 6


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.num_attention_heads = HEADS
        self.attention_head_size = D // HEADS
        self.all_head_size = D
        self.query = nn.Linear(D, D)
        self.key = nn.Linear(D, D)
        self.value = nn.Linear(D, D)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        x = x.view(new_x_shape)
        return x.permute(0, 2, 1, 3)

    def forward(self, hidden_states):
        q = self.transpose_for_scores(self.query(hidden_states))
        k = self.transpose_for_scores(self.key(hidden_states))
        v = self.transpose_for_scores(self.value(hidden_states))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.attention_head_size)
        probs = nn.functional.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        new_shape = ctx.size()[:-2] + (self.all_head_size,)
        return ctx.view(new_shape)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = SelfAttention()
        self.output = nn.Module()
        self.output.dense = nn.Linear(D, D)
        self.output.LayerNorm = nn.LayerNorm(D, eps=1e-12)

    def forward(self, x):
        return self.output.LayerNorm(self.output.dense(self.self(x)) + x)


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(D, FF)
        self.output = nn.Module()
        self.output.dense = nn.Linear(FF, D)
        self.output.LayerNorm = nn.LayerNorm(D, eps=1e-12)

    def forward(self, x):
        a = self.attention(x)
        h = nn.functional.gelu(self.intermediate.dense(a))
        return self.output.LayerNorm(self.output.dense(h) + a)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([Layer() for _ in range(LAYERS)])

    def forward(self, hidden_states):
        for layer in self.layer:
            hidden_states = layer(hidden_states)
        return hidden_states


def export(model, path, dynamic):
    tmp = path + '.tmp'
    x = torch.randn(2, SEQ, D, generator=torch.Generator().manual_seed(SEED + 1))
    axes = {'hidden_states': {0: 'batch', 1: 'sequence'}, 'last_hidden_state': {0: 'batch', 1: 'sequence'}} if dynamic else None
    torch.onnx.export(model, (x,), tmp, input_names=['hidden_states'], output_names=['last_hidden_state'],
                      dynamic_axes=axes, opset_version=14, do_constant_folding=True)
    os.replace(tmp, path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    model = Encoder().eval()
    export(model, os.path.join(out, 'tiny-bert-static.onnx'), False)
    export(model, os.path.join(out, 'tiny-bert-dynamic.onnx'), True)


if __name__ == '__main__':
    main()
