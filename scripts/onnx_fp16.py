"""float32 -> float16 conversion of an ONNX file, shared by the test-model scripts (make-test-models.py for
the RoBERTa-shaped classifier, make-test-llama.py for the causal LMs).

Every float32 initializer and tensor attribute (Constant, ConstantOfShape values) becomes float16, and every
Cast to float32 casts to float16 instead. The graph's float inputs and outputs then either become float16 too
(`io='float16'`, as the Hub's fp16 causal-LM exports take and give float16 past/present/logits), or stay
float32 with a Cast appended to each output (`io='float32'`, as the RoBERTa fp16 export gives float32 logits).
"""
import onnx
import numpy as np
from onnx import helper, numpy_helper, TensorProto


def to_fp16(src, dst, io):
    if io not in ('float16', 'float32'):
        raise ValueError(f"io must be 'float16' or 'float32', not {io!r}")
    m = onnx.load(src)
    g = m.graph
    F, H = TensorProto.FLOAT, TensorProto.FLOAT16

    def conv(t):
        if t.data_type == F:
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name))

    for t in g.initializer:
        conv(t)
    for n in g.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                conv(a.t)
            if n.op_type == 'Cast' and a.name == 'to' and a.i == F:
                a.i = H
    if io == 'float16':
        for v in list(g.input) + list(g.output):
            if v.type.tensor_type.elem_type == F:
                v.type.tensor_type.elem_type = H
    else:
        outs = [o.name for o in g.output]
        for n in g.node:
            n.output[:] = [o + '_fp16' if o in outs else o for o in n.output]
        for o in outs:
            g.node.append(helper.make_node('Cast', [o + '_fp16'], [o], to=F, name=o + '_to_fp32'))
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, dst)
