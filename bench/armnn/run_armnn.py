#!/usr/bin/python3
"""Runs an int8 .tflite with Arm NN (pyarmnn's ITfLiteParser, CpuRef backend) on raw int8 inputs.

usage: /usr/bin/python3 run_armnn.py MODEL.tflite INPUTS.bin OUTPUTS.bin

INPUTS.bin holds N input tensors back to back (the model's input bytes, NHWC, no header, as
`Dnas.Bench int8-inputs` writes them); OUTPUTS.bin gets the N int8 outputs back to back. If Arm NN
cannot parse, optimise or load the model, its error goes to stderr as one line starting
"ARMNN ERROR:" and the exit code is 3 (1 for our own file errors), so bench/armnn.sh can report it.
Debian's Arm NN 20.08 (python3-pyarmnn, libarmnn-cpuref-backend22); run with /usr/bin/python3.
"""
import os
import sys

import numpy as np
import pyarmnn as ann


def load(model_path):
    """Parses, optimises for CpuRef and loads the model; returns runtime, network id and bindings."""
    parser = ann.ITfLiteParser()
    network = parser.CreateNetworkFromBinaryFile(model_path)
    graph = 0  # our files have one subgraph
    inputs = parser.GetSubgraphInputTensorNames(graph)
    outputs = parser.GetSubgraphOutputTensorNames(graph)
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(f"{model_path}: {len(inputs)} inputs / {len(outputs)} outputs; this runner takes one of each")
    in_info = parser.GetNetworkInputBindingInfo(graph, inputs[0])
    out_info = parser.GetNetworkOutputBindingInfo(graph, outputs[0])
    runtime = ann.IRuntime(ann.CreationOptions())
    optimized, messages = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions())
    net_id, message = runtime.LoadNetwork(optimized)
    if message:
        print(f"run_armnn: LoadNetwork says: {message}", file=sys.stderr)
    return runtime, net_id, in_info, out_info


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    model_path, inputs_path, outputs_path = argv[1:]
    try:
        runtime, net_id, in_info, out_info = load(model_path)
    except Exception as e:  # Arm NN raises RuntimeError / ParseException wrappers; report any verbatim
        print(f"ARMNN ERROR: {type(e).__name__}: {' '.join(str(e).split())}", file=sys.stderr)
        return 3
    in_tensor_info = in_info[1]
    if in_tensor_info.GetDataType() != ann.DataType_QAsymmS8:
        print(f"{model_path}: the input is not int8 (Arm NN data type {in_tensor_info.GetDataType()}); use the int8 model", file=sys.stderr)
        return 1
    per = in_tensor_info.GetNumElements()
    raw = np.fromfile(inputs_path, dtype=np.int8)
    if raw.size == 0 or raw.size % per:
        print(f"{inputs_path}: {raw.size} B is not a whole number of {model_path}'s {per}-byte inputs", file=sys.stderr)
        return 1
    results = []
    for image in raw.reshape(-1, per):
        input_tensors = ann.make_input_tensors([in_info], [image])
        output_tensors = ann.make_output_tensors([out_info])
        runtime.EnqueueWorkload(net_id, input_tensors, output_tensors)
        results.append(np.asarray(ann.workload_tensors_to_ndarray(output_tensors)[0]).astype(np.int8).ravel())
    out = np.concatenate(results)
    temp = outputs_path + ".tmp"
    out.tofile(temp)
    os.replace(temp, outputs_path)
    print(f"{outputs_path}: {len(results)} outputs of {results[0].size} B from {model_path} (Arm NN {ann.ARMNN_VERSION}, CpuRef)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
