#!/usr/bin/python3
"""Regenerates the stripped ONNX test exports of tests/model/onnx (Debian's python3-torch,
python3-torchvision, python3-onnx). Weights are stripped: every floating-point initializer keeps its
dims and type and loses its data, so the files stay small; integer initializers (shapes, indices) keep
their data because shape inference reads them.

Usage: /usr/bin/python3 tests/model/onnx/make_exports.py [OUTPUT_DIR]
"""
import math
import os
import sys

import onnx
import torch
import torch.nn as nn
import torchvision

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def strip(path):
    model = onnx.load(path)
    for init in model.graph.initializer:
        if init.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE):
            init.ClearField("raw_data")
            init.ClearField("float_data")
            init.ClearField("double_data")
            init.ClearField("int32_data")
    onnx.save(model, path)


def constant_pads(path, out_path):
    """torch 1.13 writes F.pad's pads as a computation (ConstantOfShape, Slice, ...) that ONNX shape
    inference cannot evaluate; exporters that constant-fold write them as an initializer. Writes that."""
    model = onnx.load(path)
    for node in model.graph.node:
        if node.op_type == "Pad":
            name = node.name + "_pads"
            model.graph.initializer.append(onnx.helper.make_tensor(name, onnx.TensorProto.INT64, [8],
                                                                   [0, 0, 1, 1, 0, 0, 1, 1]))
            node.input[1] = name
    onnx.save(model, out_path)


def export(name, module, args, opset, dynamic_batch=False, input_names=None, fold_constants=True, training=False):
    module.eval()
    # Distinct random weights: torch.onnx.export merges initializers of equal value (torchvision's
    # zero-initialised biases), which would hide parameters; tied weights stay one tensor.
    torch.manual_seed(0)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-1.0, 1.0)
    path = os.path.join(OUT, name + ".onnx")
    names = input_names or ["x"]
    dynamic = {n: {0: "batch"} for n in names} if dynamic_batch else None
    # A training-mode export keeps BatchNormalization nodes (eval mode folds them into the convolutions).
    mode = torch.onnx.TrainingMode.TRAINING if training else torch.onnx.TrainingMode.EVAL
    with torch.no_grad():
        torch.onnx.export(module, args, path, opset_version=opset, input_names=names, dynamic_axes=dynamic,
                          do_constant_folding=fold_constants and not training, training=mode)
    strip(path)
    print(name, os.path.getsize(path), "bytes")


class EncoderLayer(nn.Module):
    """A post-norm transformer encoder layer (BERT style): one QKV projection split in three, GELU (Erf)."""

    def __init__(self, d=64, heads=4, ff=256):
        super().__init__()
        self.heads, self.d = heads, d
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.norm1 = nn.LayerNorm(d)
        self.up = nn.Linear(d, ff)
        self.down = nn.Linear(ff, d)
        self.norm2 = nn.LayerNorm(d)

    def forward(self, x):
        b, l, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=-1)
        q = q.reshape(b, l, self.heads, d // self.heads).transpose(1, 2)
        k = k.reshape(b, l, self.heads, d // self.heads).transpose(1, 2)
        v = v.reshape(b, l, self.heads, d // self.heads).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // self.heads), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, l, d)
        x = self.norm1(x + self.out(y))
        return self.norm2(x + self.down(nn.functional.gelu(self.up(x))))


class DecoderBlock(nn.Module):
    """A GPT-style pre-norm decoder block with token and position embeddings, a causal mask (Where),
    einsum attention, a tanh GELU and a tied LM head."""

    def __init__(self, vocab=512, positions=64, d=64, heads=4):
        super().__init__()
        self.heads, self.d = heads, d
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(positions, d)
        self.norm1 = nn.LayerNorm(d)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d)
        self.up = nn.Linear(d, 4 * d)
        self.down = nn.Linear(4 * d, d)
        self.norm3 = nn.LayerNorm(d)
        self.register_buffer("mask", torch.tril(torch.ones(positions, positions, dtype=torch.bool)))

    def forward(self, ids):
        b, l = ids.shape
        pos = torch.arange(l, device=ids.device).unsqueeze(0)
        x = self.wte(ids) + self.wpe(pos)
        h = self.norm1(x)
        hd = self.d // self.heads
        q = self.q(h).view(b, l, self.heads, hd)
        k = self.k(h).view(b, l, self.heads, hd)
        v = self.v(h).view(b, l, self.heads, hd)
        logits = torch.einsum("blhd,bmhd->bhlm", q, k) * (hd ** -0.5)
        logits = torch.where(self.mask[:l, :l], logits, torch.tensor(-1e4))
        att = torch.softmax(logits, dim=-1)
        y = torch.einsum("bhlm,bmhd->blhd", att, v).reshape(b, l, self.d)
        x = x + self.proj(y)
        x = x + self.down(nn.functional.gelu(self.up(self.norm2(x)), approximate="tanh"))
        return self.norm3(x) @ self.wte.weight.t()


class Gpt2Attention(nn.Module):
    """GPT-2's attention half-block as transformers writes it: LayerNorm, c_attn one Linear of 3 d columns split
    into q, k and v, heads by view and permute, q @ k^T scaled, the causal mask (Where), softmax, @ v, heads
    merged by permute and view, c_proj, the residual."""

    def __init__(self, d=1024, heads=16, positions=256):
        super().__init__()
        self.d, self.heads = d, heads
        self.norm = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.register_buffer("mask", torch.tril(torch.ones(positions, positions, dtype=torch.bool)))

    def forward(self, x):
        b, l, d = x.shape
        hd = d // self.heads
        q, k, v = self.c_attn(self.norm(x)).split(d, dim=2)
        q, k, v = (t.view(b, l, self.heads, hd).permute(0, 2, 1, 3) for t in (q, k, v))
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd)
        w = torch.softmax(torch.where(self.mask[:l, :l], w, torch.tensor(-1e4)), dim=-1)
        y = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous().view(b, l, d)
        return x + self.c_proj(y)


class HeadChain(nn.Module):
    """Two projections with a head split and merge between them (view, transpose, softmax over each head,
    transpose, reshape): small enough for a brute-force search at 2 devices."""

    def __init__(self, d=8, heads=2):
        super().__init__()
        self.heads = heads
        self.a = nn.Linear(d, d, bias=False)
        self.b = nn.Linear(d, d, bias=False)

    def forward(self, x):
        b, l, d = x.shape
        y = self.a(x).view(b, l, self.heads, d // self.heads).transpose(1, 2)
        y = torch.softmax(y, dim=-1).transpose(1, 2).reshape(b, l, d)
        return self.b(y)


class SplitAndWhole(nn.Module):
    """A GEMM whose output is split into two halves and also read whole: the columns stay one GEMM's output."""

    def __init__(self, d=8):
        super().__init__()
        self.d = d
        self.fc = nn.Linear(d, 2 * d)

    def forward(self, x):
        y = self.fc(x)
        a, b = y.split(self.d, dim=-1)
        return torch.cat([a * b, y], dim=-1)


class SmallOps(nn.Module):
    """The operators the torchvision models do not use: Pad, AveragePool, Sigmoid, Clip, Squeeze/Unsqueeze."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 16, 3, stride=2, dilation=2)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = nn.functional.pad(x, (1, 1, 1, 1))
        x = torch.sigmoid(self.conv(x))
        x = nn.functional.avg_pool2d(x, 2)
        x = torch.clamp(x, 0.0, 6.0).mean(dim=(2, 3), keepdim=True)
        x = x.squeeze(3).squeeze(2).unsqueeze(1)
        return torch.tanh(self.fc(x))


def main():
    os.makedirs(OUT, exist_ok=True)
    img = torch.randn(1, 3, 224, 224)
    tv = torchvision.models
    # The image models have a dynamic batch (pase search --set batch=N); the transformer blocks a static one.
    export("resnet18", tv.resnet18(), img, 13, dynamic_batch=True)
    export("resnet50", tv.resnet50(), img, 13, dynamic_batch=True)
    # As trained: its BatchNorms stay layers, as in inputs/resnet101.json.
    export("resnet101", tv.resnet101(), img, 17, dynamic_batch=True, training=True)
    export("alexnet", tv.alexnet(), img, 14, dynamic_batch=True)
    export("vgg16", tv.vgg16(), img, 15, dynamic_batch=True)
    export("mobilenet_v2", tv.mobilenet_v2(), img, 16, dynamic_batch=True)
    export("densenet121", tv.densenet121(), img, 13, dynamic_batch=True)
    export("inception_v3", tv.inception_v3(init_weights=False, aux_logits=True), torch.randn(1, 3, 299, 299), 17,
           dynamic_batch=True)
    export("encoder_layer_opset13", EncoderLayer(), torch.randn(2, 16, 64), 13)
    export("encoder_layer_opset17", EncoderLayer(), torch.randn(2, 16, 64), 17)
    # Constant folding would write the tied LM head's transposed embedding as a second initializer.
    export("gpt_block", DecoderBlock(), torch.randint(0, 512, (2, 16)), 17, input_names=["ids"], fold_constants=False)
    export("gpt2_attention", Gpt2Attention(), torch.randn(4, 256, 1024), 17)
    export("head_chain", HeadChain(), torch.randn(2, 2, 8), 17)
    export("split_and_whole", SplitAndWhole(), torch.randn(2, 4, 8), 17)
    # The raw export is the bad-input test of shapes inference cannot complete (pad_unresolved.onnx).
    export("pad_unresolved", SmallOps(), torch.randn(2, 8, 32, 32), 13)
    constant_pads(os.path.join(OUT, "pad_unresolved.onnx"), os.path.join(OUT, "small_ops.onnx"))


if __name__ == "__main__":
    main()
