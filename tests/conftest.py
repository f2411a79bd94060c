import os

# Before TensorFlow is imported anywhere: quiet C++ logging, and the CPU only, so
# results do not depend on which machine runs the suite.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
