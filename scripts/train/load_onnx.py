"""Rebuild the torch Net from an exported model.onnx (for analysis of a shipped model without retraining)."""
import numpy as np
import onnx
import torch
from onnx import numpy_helper

from model import Net


def load_net(path):
    m = onnx.load(path)
    w = {t.name: numpy_helper.to_array(t).copy() for t in m.graph.initializer}
    hidden = w['w1'].shape[1] if 'w1' in w else 0
    net = Net(w['table'].shape[0], w['mu'].shape[0], hidden, w['mu'], w['sd'])
    with torch.no_grad():
        net.table.weight.copy_(torch.from_numpy(w['table']).reshape(-1, 1))
        if hidden:
            net.h1.weight.copy_(torch.from_numpy(w['w1'].T.copy()))
            net.h1.bias.copy_(torch.from_numpy(w['b1']))
        net.h2.weight.copy_(torch.from_numpy(w['w2'].T.copy()))
        net.h2.bias.copy_(torch.from_numpy(w['b2']))
    return net
