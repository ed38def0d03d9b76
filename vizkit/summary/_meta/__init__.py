"""Private: exact meta-device stand-ins for the torch ops a summary runs most.

Torch's meta kernels for convolution, pooling, normalisation and element-wise ops run in
Python and cost milliseconds a layer; these stand-ins return the same shapes, dtypes, strides
and (reported, not built) autograd saves in microseconds. Each is tested against torch's own
meta op; an op or argument combination a stand-in does not cover is left to torch.
"""
