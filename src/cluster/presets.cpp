// The shipped cluster presets as pase-cluster v1 text; each number names its source in the "sources" field.
#include "pase/cluster/hardware_cluster.hpp"

#include <stdexcept>

namespace pase::cluster {

namespace {

struct Preset {
  const char* name;
  std::string text;
};

const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = {
      {"paper-1080ti", R"json({
 "format": "pase-cluster",
 "version": 1,
 "name": "paper-1080ti",
 "nodes": 8,
 "devices_per_node": 8,
 "device": {
  "name": "NVIDIA GeForce GTX 1080 Ti",
  "peak_flop_per_s": {
   "fp32": 11340000000000.0,
   "fp16": 177000000000.0
  },
  "memory_bytes": 11720982528.0,
  "memory_reserve_bytes": 1000000000.0,
  "memory_bytes_per_s": 484000000000.0,
  "efficiency": {
   "gemm": [
    [
     1000000.0,
     0.03
    ],
    [
     10000000.0,
     0.12
    ],
    [
     100000000.0,
     0.35
    ],
    [
     1000000000.0,
     0.6
    ],
    [
     10000000000.0,
     0.75
    ],
    [
     100000000000.0,
     0.85
    ]
   ],
   "convolution": [
    [
     10000000.0,
     0.08
    ],
    [
     100000000.0,
     0.25
    ],
    [
     1000000000.0,
     0.5
    ],
    [
     10000000000.0,
     0.65
    ],
    [
     100000000000.0,
     0.75
    ]
   ],
   "memory_bound": [
    [
     10000.0,
     0.02
    ],
    [
     100000.0,
     0.15
    ],
    [
     1000000.0,
     0.5
    ],
    [
     10000000.0,
     0.75
    ],
    [
     100000000.0,
     0.85
    ]
   ]
  }
 },
 "intra_node": {
  "bytes_per_s": 15750000000.0,
  "latency_s": 1e-05,
  "efficiency": 0.8,
  "devices_sharing_link": 1
 },
 "inter_node": {
  "bytes_per_s": 12500000000.0,
  "latency_s": 2e-05,
  "efficiency": 0.85,
  "devices_sharing_link": 8
 },
 "sources": {
  "device.memory_bytes": "capacity: 11178 MiB as nvidia-smi reports it for a GTX 1080 Ti (11 GB GDDR5X); reserve 1 GB: an assumption, not measured: the CUDA context with cuBLAS and cuDNN handles (0.5 to 1 GB on recent GPUs, torch.cuda.mem_get_info before and after initialisation) and NCCL communicators (NCCL_BUFFSIZE 4 MiB per channel and peer); allocator fragmentation is not included",
  "device": "NVIDIA GTX 1080 Ti spec: 3584 CUDA cores x 1582 MHz boost x 2 = 11.34 TFLOP/s fp32; GP102 fp16 at 1/64 rate; 11 GB GDDR5X at 484 GB/s",
  "intra_node": "PCIe 3.0 x16: 15.75 GB/s per direction (PCI-SIG); about 12.5 GB/s achieved device-to-device (NVIDIA p2pBandwidthLatencyTest), efficiency 0.8; latency 10 us per ring step (nccl-tests over PCIe)",
  "inter_node": "InfiniBand: the paper does not give its speed; assumed EDR 100 Gb/s = 12.5 GB/s (the common HPC generation in 2019-2020), one adapter a node shared by its 8 GPUs, efficiency 0.85 (OSU MPI bandwidth ~10.5-11 GB/s); latency 20 us per NCCL/MPI ring step (nccl-tests small-message all-reduce)",
  "nodes": "PaSE (Elango, IPDPS 2021) Sec. VI: 8 GPUs a node, up to 64 GPUs",
  "device.efficiency": "efficiency curves: read from published charts, not fitted to pase: GEMM from Baidu DeepBench GEMM results (cuBLAS, P100/V100/1080Ti: a few % of peak for 1e6-FLOP GEMMs, 80-90% for 4096^3), convolution from DeepBench convolution results (cuDNN), memory-bound from bandwidthTest/STREAM-like copies (85% of peak for large copies, launch latency of ~5 us dominating below 1 MB); the same curves for every device (an approximation)"
 }
})json"},
      {"paper-2080ti", R"json({
 "format": "pase-cluster",
 "version": 1,
 "name": "paper-2080ti",
 "nodes": 8,
 "devices_per_node": 8,
 "device": {
  "name": "NVIDIA GeForce RTX 2080 Ti",
  "peak_flop_per_s": {
   "fp32": 13450000000000.0,
   "fp16": 107600000000000.0
  },
  "memory_bytes": 11554258944.0,
  "memory_reserve_bytes": 1000000000.0,
  "memory_bytes_per_s": 616000000000.0,
  "efficiency": {
   "gemm": [
    [
     1000000.0,
     0.03
    ],
    [
     10000000.0,
     0.12
    ],
    [
     100000000.0,
     0.35
    ],
    [
     1000000000.0,
     0.6
    ],
    [
     10000000000.0,
     0.75
    ],
    [
     100000000000.0,
     0.85
    ]
   ],
   "convolution": [
    [
     10000000.0,
     0.08
    ],
    [
     100000000.0,
     0.25
    ],
    [
     1000000000.0,
     0.5
    ],
    [
     10000000000.0,
     0.65
    ],
    [
     100000000000.0,
     0.75
    ]
   ],
   "memory_bound": [
    [
     10000.0,
     0.02
    ],
    [
     100000.0,
     0.15
    ],
    [
     1000000.0,
     0.5
    ],
    [
     10000000.0,
     0.75
    ],
    [
     100000000.0,
     0.85
    ]
   ]
  }
 },
 "intra_node": {
  "bytes_per_s": 15750000000.0,
  "latency_s": 2e-05,
  "efficiency": 0.4,
  "devices_sharing_link": 1
 },
 "inter_node": {
  "bytes_per_s": 12500000000.0,
  "latency_s": 2e-05,
  "efficiency": 0.85,
  "devices_sharing_link": 8
 },
 "sources": {
  "device.memory_bytes": "capacity: 11019 MiB as nvidia-smi reports it for an RTX 2080 Ti (11 GB GDDR6); reserve 1 GB: an assumption, not measured: the CUDA context with cuBLAS and cuDNN handles (0.5 to 1 GB on recent GPUs, torch.cuda.mem_get_info before and after initialisation) and NCCL communicators (NCCL_BUFFSIZE 4 MiB per channel and peer); allocator fragmentation is not included",
  "device": "NVIDIA Turing architecture whitepaper: RTX 2080 Ti 4352 CUDA cores x 1545 MHz boost x 2 = 13.45 TFLOP/s fp32, 107.6 TFLOP/s fp16 tensor; 11 GB GDDR6 at 616 GB/s",
  "intra_node": "PCIe 3.0 x16: 15.75 GB/s per direction (PCI-SIG); about 12.5 GB/s achieved device-to-device (NVIDIA p2pBandwidthLatencyTest), efficiency 0.8; the paper notes no PCIe peer-to-peer on these nodes, so every transfer is staged through host memory and crosses PCIe twice: efficiency 0.4, latency 20 us",
  "inter_node": "InfiniBand: the paper does not give its speed; assumed EDR 100 Gb/s = 12.5 GB/s (the common HPC generation in 2019-2020), one adapter a node shared by its 8 GPUs, efficiency 0.85 (OSU MPI bandwidth ~10.5-11 GB/s); latency 20 us per NCCL/MPI ring step (nccl-tests small-message all-reduce)",
  "nodes": "PaSE (Elango, IPDPS 2021) Sec. VI: 8 GPUs a node",
  "device.efficiency": "efficiency curves: read from published charts, not fitted to pase: GEMM from Baidu DeepBench GEMM results (cuBLAS, P100/V100/1080Ti: a few % of peak for 1e6-FLOP GEMMs, 80-90% for 4096^3), convolution from DeepBench convolution results (cuDNN), memory-bound from bandwidthTest/STREAM-like copies (85% of peak for large copies, launch latency of ~5 us dominating below 1 MB); the same curves for every device (an approximation)"
 }
})json"},
      {"dgx-a100", R"json({
 "format": "pase-cluster",
 "version": 1,
 "name": "dgx-a100",
 "nodes": 8,
 "devices_per_node": 8,
 "device": {
  "name": "NVIDIA A100-SXM4-80GB",
  "peak_flop_per_s": {
   "fp32": 19500000000000.0,
   "bf16": 312000000000000.0,
   "fp16": 312000000000000.0
  },
  "memory_bytes": 85899345920.0,
  "memory_reserve_bytes": 1500000000.0,
  "memory_bytes_per_s": 2039000000000.0,
  "efficiency": {
   "gemm": [
    [
     1000000.0,
     0.03
    ],
    [
     10000000.0,
     0.12
    ],
    [
     100000000.0,
     0.35
    ],
    [
     1000000000.0,
     0.6
    ],
    [
     10000000000.0,
     0.75
    ],
    [
     100000000000.0,
     0.85
    ]
   ],
   "convolution": [
    [
     10000000.0,
     0.08
    ],
    [
     100000000.0,
     0.25
    ],
    [
     1000000000.0,
     0.5
    ],
    [
     10000000000.0,
     0.65
    ],
    [
     100000000000.0,
     0.75
    ]
   ],
   "memory_bound": [
    [
     10000.0,
     0.02
    ],
    [
     100000.0,
     0.15
    ],
    [
     1000000.0,
     0.5
    ],
    [
     10000000.0,
     0.75
    ],
    [
     100000000.0,
     0.85
    ]
   ]
  }
 },
 "intra_node": {
  "bytes_per_s": 300000000000.0,
  "latency_s": 3e-06,
  "efficiency": 0.77,
  "devices_sharing_link": 1
 },
 "inter_node": {
  "bytes_per_s": 25000000000.0,
  "latency_s": 1e-05,
  "efficiency": 0.9,
  "devices_sharing_link": 1
 },
 "sources": {
  "device.memory_bytes": "capacity: 81920 MiB as nvidia-smi reports it for an A100-SXM4-80GB; reserve 1.5 GB: an assumption, not measured: the CUDA context with cuBLAS and cuDNN handles (0.5 to 1 GB on recent GPUs, torch.cuda.mem_get_info before and after initialisation) and NCCL communicators (NCCL_BUFFSIZE 4 MiB per channel and peer); allocator fragmentation is not included",
  "device": "NVIDIA A100 datasheet: 19.5 TFLOP/s fp32, 312 TFLOP/s bf16/fp16 dense tensor; 80 GB HBM2e at 2039 GB/s",
  "intra_node": "NVLink 3 + NVSwitch: 600 GB/s bidirectional = 300 GB/s per direction (DGX A100 user guide); nccl-tests all_reduce bus bandwidth ~230 GB/s on DGX A100: efficiency 0.77; latency 3 us per step",
  "inter_node": "8 Mellanox ConnectX-6 HDR 200 Gb/s = 25 GB/s adapters a node, one per GPU (DGX A100 user guide); efficiency 0.9 (nccl-tests multi-node bus bandwidth ~22.5 GB/s per rail); latency 10 us",
  "nodes": "8 nodes by default",
  "device.efficiency": "efficiency curves: read from published charts, not fitted to pase: GEMM from Baidu DeepBench GEMM results (cuBLAS, P100/V100/1080Ti: a few % of peak for 1e6-FLOP GEMMs, 80-90% for 4096^3), convolution from DeepBench convolution results (cuDNN), memory-bound from bandwidthTest/STREAM-like copies (85% of peak for large copies, launch latency of ~5 us dominating below 1 MB); the same curves for every device (an approximation)"
 }
})json"},
      {"dgx-a100-40gb", R"json({
 "format": "pase-cluster",
 "version": 1,
 "name": "dgx-a100-40gb",
 "nodes": 8,
 "devices_per_node": 8,
 "device": {
  "name": "NVIDIA A100-SXM4-40GB",
  "peak_flop_per_s": {
   "fp32": 19500000000000.0,
   "bf16": 312000000000000.0,
   "fp16": 312000000000000.0
  },
  "memory_bytes": 42949672960.0,
  "memory_reserve_bytes": 1500000000.0,
  "memory_bytes_per_s": 1555000000000.0,
  "efficiency": {
   "gemm": [
    [
     1000000.0,
     0.03
    ],
    [
     10000000.0,
     0.12
    ],
    [
     100000000.0,
     0.35
    ],
    [
     1000000000.0,
     0.6
    ],
    [
     10000000000.0,
     0.75
    ],
    [
     100000000000.0,
     0.85
    ]
   ],
   "convolution": [
    [
     10000000.0,
     0.08
    ],
    [
     100000000.0,
     0.25
    ],
    [
     1000000000.0,
     0.5
    ],
    [
     10000000000.0,
     0.65
    ],
    [
     100000000000.0,
     0.75
    ]
   ],
   "memory_bound": [
    [
     10000.0,
     0.02
    ],
    [
     100000.0,
     0.15
    ],
    [
     1000000.0,
     0.5
    ],
    [
     10000000.0,
     0.75
    ],
    [
     100000000.0,
     0.85
    ]
   ]
  }
 },
 "intra_node": {
  "bytes_per_s": 300000000000.0,
  "latency_s": 3e-06,
  "efficiency": 0.77,
  "devices_sharing_link": 1
 },
 "inter_node": {
  "bytes_per_s": 25000000000.0,
  "latency_s": 1e-05,
  "efficiency": 0.9,
  "devices_sharing_link": 1
 },
 "sources": {
  "device.memory_bytes": "capacity: 40960 MiB as nvidia-smi reports it for an A100-SXM4-40GB; reserve 1.5 GB: an assumption, not measured: the CUDA context with cuBLAS and cuDNN handles (0.5 to 1 GB on recent GPUs, torch.cuda.mem_get_info before and after initialisation) and NCCL communicators (NCCL_BUFFSIZE 4 MiB per channel and peer); allocator fragmentation is not included",
  "device": "NVIDIA A100 datasheet: 19.5 TFLOP/s fp32, 312 TFLOP/s bf16/fp16 dense tensor; 40 GB HBM2 at 1555 GB/s (the DGX A100 320GB system)",
  "intra_node": "NVLink 3 + NVSwitch: 600 GB/s bidirectional = 300 GB/s per direction (DGX A100 user guide); nccl-tests all_reduce bus bandwidth ~230 GB/s on DGX A100: efficiency 0.77; latency 3 us per step",
  "inter_node": "8 Mellanox ConnectX-6 HDR 200 Gb/s = 25 GB/s adapters a node, one per GPU (DGX A100 user guide); efficiency 0.9 (nccl-tests multi-node bus bandwidth ~22.5 GB/s per rail); latency 10 us",
  "nodes": "8 nodes by default",
  "device.efficiency": "efficiency curves: read from published charts, not fitted to pase: GEMM from Baidu DeepBench GEMM results (cuBLAS, P100/V100/1080Ti: a few % of peak for 1e6-FLOP GEMMs, 80-90% for 4096^3), convolution from DeepBench convolution results (cuDNN), memory-bound from bandwidthTest/STREAM-like copies (85% of peak for large copies, launch latency of ~5 us dominating below 1 MB); the same curves for every device (an approximation)"
 }
})json"},
      {"dgx1-v100", R"json({
 "format": "pase-cluster",
 "version": 1,
 "name": "dgx1-v100",
 "nodes": 8,
 "devices_per_node": 8,
 "device": {
  "name": "NVIDIA V100-SXM2-32GB",
  "peak_flop_per_s": {
   "fp32": 15700000000000.0,
   "fp16": 125000000000000.0
  },
  "memory_bytes": 34359738368.0,
  "memory_reserve_bytes": 1500000000.0,
  "memory_bytes_per_s": 900000000000.0,
  "efficiency": {
   "gemm": [
    [
     1000000.0,
     0.03
    ],
    [
     10000000.0,
     0.12
    ],
    [
     100000000.0,
     0.35
    ],
    [
     1000000000.0,
     0.6
    ],
    [
     10000000000.0,
     0.75
    ],
    [
     100000000000.0,
     0.85
    ]
   ],
   "convolution": [
    [
     10000000.0,
     0.08
    ],
    [
     100000000.0,
     0.25
    ],
    [
     1000000000.0,
     0.5
    ],
    [
     10000000000.0,
     0.65
    ],
    [
     100000000000.0,
     0.75
    ]
   ],
   "memory_bound": [
    [
     10000.0,
     0.02
    ],
    [
     100000.0,
     0.15
    ],
    [
     1000000.0,
     0.5
    ],
    [
     10000000.0,
     0.75
    ],
    [
     100000000.0,
     0.85
    ]
   ]
  }
 },
 "intra_node": {
  "bytes_per_s": 150000000000.0,
  "latency_s": 5e-06,
  "efficiency": 0.8,
  "devices_sharing_link": 1
 },
 "inter_node": {
  "bytes_per_s": 12500000000.0,
  "latency_s": 1e-05,
  "efficiency": 0.85,
  "devices_sharing_link": 2
 },
 "sources": {
  "device.memory_bytes": "capacity: 81920 MiB as nvidia-smi reports it for an V100-SXM2-32GB; reserve 1.5 GB: an assumption, not measured: the CUDA context with cuBLAS and cuDNN handles (0.5 to 1 GB on recent GPUs, torch.cuda.mem_get_info before and after initialisation) and NCCL communicators (NCCL_BUFFSIZE 4 MiB per channel and peer); allocator fragmentation is not included",
  "device": "NVIDIA V100 datasheet (SXM2): 15.7 TFLOP/s fp32, 125 TFLOP/s fp16 tensor (no bf16); 32 GB HBM2 at 900 GB/s",
  "intra_node": "NVLink 2 hybrid cube-mesh: 6 links of 25 GB/s per direction = 150 GB/s per GPU (DGX-1 with V100 system architecture white paper); rings over the mesh reach ~120 GB/s bus bandwidth in nccl-tests: efficiency 0.8; latency 5 us per step",
  "inter_node": "4 Mellanox ConnectX-4 EDR 100 Gb/s = 12.5 GB/s adapters a node, one per 2 GPUs (DGX-1 user guide); efficiency 0.85 (OSU bandwidth ~10.5-11 GB/s); latency 10 us",
  "nodes": "8 nodes by default",
  "device.efficiency": "efficiency curves: read from published charts, not fitted to pase: GEMM from Baidu DeepBench GEMM results (cuBLAS, P100/V100/1080Ti: a few % of peak for 1e6-FLOP GEMMs, 80-90% for 4096^3), convolution from DeepBench convolution results (cuDNN), memory-bound from bandwidthTest/STREAM-like copies (85% of peak for large copies, launch latency of ~5 us dominating below 1 MB); the same curves for every device (an approximation)"
 }
})json"},
      {"dgx-h100", R"json({
 "format": "pase-cluster",
 "version": 1,
 "name": "dgx-h100",
 "nodes": 8,
 "devices_per_node": 8,
 "device": {
  "name": "NVIDIA H100-SXM5-80GB",
  "peak_flop_per_s": {
   "fp32": 67000000000000.0,
   "bf16": 989000000000000.0,
   "fp16": 989000000000000.0
  },
  "memory_bytes": 85520809984.0,
  "memory_reserve_bytes": 1500000000.0,
  "memory_bytes_per_s": 3350000000000.0,
  "efficiency": {
   "gemm": [
    [
     1000000.0,
     0.03
    ],
    [
     10000000.0,
     0.12
    ],
    [
     100000000.0,
     0.35
    ],
    [
     1000000000.0,
     0.6
    ],
    [
     10000000000.0,
     0.75
    ],
    [
     100000000000.0,
     0.85
    ]
   ],
   "convolution": [
    [
     10000000.0,
     0.08
    ],
    [
     100000000.0,
     0.25
    ],
    [
     1000000000.0,
     0.5
    ],
    [
     10000000000.0,
     0.65
    ],
    [
     100000000000.0,
     0.75
    ]
   ],
   "memory_bound": [
    [
     10000.0,
     0.02
    ],
    [
     100000.0,
     0.15
    ],
    [
     1000000.0,
     0.5
    ],
    [
     10000000.0,
     0.75
    ],
    [
     100000000.0,
     0.85
    ]
   ]
  }
 },
 "intra_node": {
  "bytes_per_s": 450000000000.0,
  "latency_s": 3e-06,
  "efficiency": 0.8,
  "devices_sharing_link": 1
 },
 "inter_node": {
  "bytes_per_s": 50000000000.0,
  "latency_s": 1e-05,
  "efficiency": 0.9,
  "devices_sharing_link": 1
 },
 "sources": {
  "device.memory_bytes": "capacity: 81559 MiB as nvidia-smi reports it for an H100-SXM5-80GB (80 GB HBM3); reserve 1.5 GB: an assumption, not measured: the CUDA context with cuBLAS and cuDNN handles (0.5 to 1 GB on recent GPUs, torch.cuda.mem_get_info before and after initialisation) and NCCL communicators (NCCL_BUFFSIZE 4 MiB per channel and peer); allocator fragmentation is not included",
  "device": "NVIDIA H100 datasheet (SXM5): 67 TFLOP/s fp32, 989 TFLOP/s bf16/fp16 dense tensor; 80 GB HBM3 at 3.35 TB/s",
  "intra_node": "NVLink 4 + NVSwitch: 900 GB/s bidirectional = 450 GB/s per direction (DGX H100 user guide); nccl-tests all_reduce bus bandwidth ~360 GB/s: efficiency 0.8; latency 3 us per step",
  "inter_node": "8 ConnectX-7 NDR 400 Gb/s = 50 GB/s adapters a node, one per GPU (DGX H100 user guide); efficiency 0.9; latency 10 us",
  "nodes": "8 nodes by default",
  "device.efficiency": "efficiency curves: read from published charts, not fitted to pase: GEMM from Baidu DeepBench GEMM results (cuBLAS, P100/V100/1080Ti: a few % of peak for 1e6-FLOP GEMMs, 80-90% for 4096^3), convolution from DeepBench convolution results (cuDNN), memory-bound from bandwidthTest/STREAM-like copies (85% of peak for large copies, launch latency of ~5 us dominating below 1 MB); the same curves for every device (an approximation)"
 }
})json"},
      {"cloud-pcie-a100", R"json({
 "format": "pase-cluster",
 "version": 1,
 "name": "cloud-pcie-a100",
 "nodes": 4,
 "devices_per_node": 8,
 "device": {
  "name": "NVIDIA A100-PCIe-80GB",
  "peak_flop_per_s": {
   "fp32": 19500000000000.0,
   "bf16": 312000000000000.0,
   "fp16": 312000000000000.0
  },
  "memory_bytes": 85899345920.0,
  "memory_reserve_bytes": 1500000000.0,
  "memory_bytes_per_s": 1935000000000.0,
  "efficiency": {
   "gemm": [
    [
     1000000.0,
     0.03
    ],
    [
     10000000.0,
     0.12
    ],
    [
     100000000.0,
     0.35
    ],
    [
     1000000000.0,
     0.6
    ],
    [
     10000000000.0,
     0.75
    ],
    [
     100000000000.0,
     0.85
    ]
   ],
   "convolution": [
    [
     10000000.0,
     0.08
    ],
    [
     100000000.0,
     0.25
    ],
    [
     1000000000.0,
     0.5
    ],
    [
     10000000000.0,
     0.65
    ],
    [
     100000000000.0,
     0.75
    ]
   ],
   "memory_bound": [
    [
     10000.0,
     0.02
    ],
    [
     100000.0,
     0.15
    ],
    [
     1000000.0,
     0.5
    ],
    [
     10000000.0,
     0.75
    ],
    [
     100000000.0,
     0.85
    ]
   ]
  }
 },
 "intra_node": {
  "bytes_per_s": 31500000000.0,
  "latency_s": 1e-05,
  "efficiency": 0.8,
  "devices_sharing_link": 1
 },
 "inter_node": {
  "bytes_per_s": 12500000000.0,
  "latency_s": 3e-05,
  "efficiency": 0.8,
  "devices_sharing_link": 8
 },
 "sources": {
  "device.memory_bytes": "capacity: 81920 MiB as nvidia-smi reports it for an A100 80GB; reserve 1.5 GB: an assumption, not measured: the CUDA context with cuBLAS and cuDNN handles (0.5 to 1 GB on recent GPUs, torch.cuda.mem_get_info before and after initialisation) and NCCL communicators (NCCL_BUFFSIZE 4 MiB per channel and peer); allocator fragmentation is not included",
  "device": "NVIDIA A100 PCIe datasheet: 19.5 TFLOP/s fp32, 312 TFLOP/s bf16/fp16 dense; 80 GB HBM2e at 1935 GB/s",
  "intra_node": "PCIe 4.0 x16: 31.5 GB/s per direction (PCI-SIG), efficiency 0.8 as for PCIe 3.0; latency 10 us, no NVLink",
  "inter_node": "one 100 Gb/s Ethernet = 12.5 GB/s port a node shared by its 8 GPUs (a typical cloud VM), NCCL over TCP sockets: efficiency 0.8, latency 30 us",
  "nodes": "4 nodes by default",
  "device.efficiency": "efficiency curves: read from published charts, not fitted to pase: GEMM from Baidu DeepBench GEMM results (cuBLAS, P100/V100/1080Ti: a few % of peak for 1e6-FLOP GEMMs, 80-90% for 4096^3), convolution from DeepBench convolution results (cuDNN), memory-bound from bandwidthTest/STREAM-like copies (85% of peak for large copies, launch latency of ~5 us dominating below 1 MB); the same curves for every device (an approximation)"
 }
})json"},
  };
  return all;
}

}  // namespace

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const Preset& preset : presets()) names.emplace_back(preset.name);
  return names;
}

const std::string& preset_text(const std::string& name) {
  for (const Preset& preset : presets())
    if (name == preset.name) return preset.text;
  throw std::invalid_argument("unknown cluster preset '" + name + "'");
}

}  // namespace pase::cluster
