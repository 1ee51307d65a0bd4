"""Write the trained Net as a plain ONNX graph (opset 13: Gather, Mul, ReduceSum, Sub, Div, MatMul, Add, Relu).

inputs   idx   int32   [batch, n]   table indices (pad with 0)
         val   float32 [batch, n]   feature values (pad with 0: a padded slot contributes exactly 0)
         dense float32 [batch, D]   stylometric features
outputs  contrib float32 [batch, n] table[idx] * val, the exact per-feature share of the logit
         head    float32 [batch]    dense head + bias
         logit   float32 [batch]    sum(contrib) + head
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def export(net, path, producer_version):
    table = net.table.weight.detach().numpy().reshape(-1).astype(np.float32)
    mu = net.mu.numpy().astype(np.float32)
    sd = net.sd.numpy().astype(np.float32)
    D = mu.shape[0]
    inits = [
        numpy_helper.from_array(table, 'table'),
        numpy_helper.from_array(mu, 'mu'),
        numpy_helper.from_array(sd, 'sd'),
        numpy_helper.from_array(np.array([1], dtype=np.int64), 'axis1'),
    ]
    nodes = [
        helper.make_node('Gather', ['table', 'idx'], ['g'], axis=0),
        helper.make_node('Mul', ['g', 'val'], ['contrib']),
        helper.make_node('ReduceSum', ['contrib', 'axis1'], ['s'], keepdims=0),
        helper.make_node('Sub', ['dense', 'mu'], ['zc']),
        helper.make_node('Div', ['zc', 'sd'], ['z']),
    ]
    last = 'z'
    if net.hidden > 0:
        inits += [numpy_helper.from_array(net.h1.weight.detach().numpy().T.astype(np.float32).copy(), 'w1'),
                  numpy_helper.from_array(net.h1.bias.detach().numpy().astype(np.float32), 'b1')]
        nodes += [helper.make_node('MatMul', ['z', 'w1'], ['h1m']),
                  helper.make_node('Add', ['h1m', 'b1'], ['h1a']),
                  helper.make_node('Relu', ['h1a'], ['h1'])]
        last = 'h1'
    inits += [numpy_helper.from_array(net.h2.weight.detach().numpy().T.astype(np.float32).copy(), 'w2'),
              numpy_helper.from_array(net.h2.bias.detach().numpy().astype(np.float32), 'b2')]
    nodes += [helper.make_node('MatMul', [last, 'w2'], ['h2m']),
              helper.make_node('Add', ['h2m', 'b2'], ['h2a']),
              helper.make_node('ReduceSum', ['h2a', 'axis1'], ['head'], keepdims=0),
              helper.make_node('Add', ['s', 'head'], ['logit'])]
    graph = helper.make_graph(
        nodes, 'telltale_embedded',
        [helper.make_tensor_value_info('idx', TensorProto.INT32, ['batch', 'n']),
         helper.make_tensor_value_info('val', TensorProto.FLOAT, ['batch', 'n']),
         helper.make_tensor_value_info('dense', TensorProto.FLOAT, ['batch', D])],
        [helper.make_tensor_value_info('contrib', TensorProto.FLOAT, ['batch', 'n']),
         helper.make_tensor_value_info('head', TensorProto.FLOAT, ['batch']),
         helper.make_tensor_value_info('logit', TensorProto.FLOAT, ['batch'])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)],
                              producer_name='telltale-train', producer_version=producer_version)
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
