// geomend cuDNN emulator: a CPU stand-in for cuDNN 9 (libcudnn.so.9) next to the CUDA emulator's libcuda.so.1.
// It exports exactly the legacy-API functions that bindings/ (CudnnLibrary.java, CudnnConvolutions.java) calls,
// with the C signatures, enum values and status codes of the cuDNN 9 headers (cudnn_graph.h, cudnn_ops.h,
// cudnn_cnn.h); see build-cudnn.sh for how it is built and cudnn_emu_selftest.cpp for what is checked.
//
// What it supports: 4-d NCHW float32 tensors and filters (cudnnSetTensor4dDescriptor / cudnnSetFilter4dDescriptor),
// 2-d convolutions in CUDNN_CONVOLUTION and CUDNN_CROSS_CORRELATION mode with any padding, stride and dilation,
// one group, float compute. Anything else the setters are given that real cuDNN knows (other data types, NHWC,
// double compute) is CUDNN_STATUS_NOT_SUPPORTED with a one-line reason on stderr; values cuDNN does not know are
// CUDNN_STATUS_BAD_PARAM.
//
// Arithmetic: every sum is accumulated in double in a fixed order and rounded to float once, after the scaling
// dst = alpha * result + beta * dst (also in double). When *beta == 0 the destination is not read (cuDNN's
// documented rule: it may hold uninitialised data, NaN included). Results are deterministic (bitwise equal from
// run to run) whatever the algorithm; large problems are split over threads by output element, which keeps them
// so (GEOMEND_CUDNN_EMULATOR_THREADS, default the hardware concurrency).
//
// Memory: device pointers are host pointers made by the CUDA emulator. When that library's
// gm_emu_device_range_ok is found (dlsym(RTLD_DEFAULT), then libcuda.so.1 if it is already loaded), every tensor,
// filter and workspace range is checked before it is touched: one outside a live device allocation is
// CUDNN_STATUS_BAD_PARAM naming the function and the argument. Without it (another libcuda) nothing is checked.
//
// Handles and descriptors are plain structs with a magic field, registered while alive: a wrong, foreign,
// destroyed or never-created pointer is CUDNN_STATUS_BAD_PARAM, never a dereference. Every failure prints one
// line "geomend cuDNN emulator: FUNCTION: reason (STATUS_NAME)" on stderr; nothing is printed otherwise.
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <vector>

#define API extern "C" __attribute__((visibility("default")))

namespace {

// ------------------------------------------------------------------ cuDNN 9 enums (cudnn_graph.h, cudnn_cnn.h)
enum Status {
    SUCCESS = 0,
    NOT_INITIALIZED = 1001,
    SUBLIBRARY_VERSION_MISMATCH = 1002,
    SERIALIZATION_VERSION_MISMATCH = 1003,
    DEPRECATED = 1004,
    LICENSE_ERROR = 1005,
    RUNTIME_IN_PROGRESS = 1006,
    RUNTIME_FP_OVERFLOW = 1007,
    SUBLIBRARY_LOADING_FAILED = 1008,
    BAD_PARAM = 2000,
    INVALID_VALUE = 2001, // deprecated alias kept by the header
    BAD_PARAM_NULL_POINTER = 2002,
    BAD_PARAM_MISALIGNED_POINTER = 2003,
    BAD_PARAM_NOT_FINALIZED = 2004,
    BAD_PARAM_OUT_OF_BOUND = 2005,
    BAD_PARAM_SIZE_INSUFFICIENT = 2006,
    BAD_PARAM_STREAM_MISMATCH = 2007,
    BAD_PARAM_SHAPE_MISMATCH = 2008,
    BAD_PARAM_DUPLICATED_ENTRIES = 2009,
    BAD_PARAM_ATTRIBUTE_TYPE = 2010,
    BAD_PARAM_CUDA_GRAPH_MISMATCH = 2011,
    BAD_PARAM_DESCRIPTOR_TYPE = 2012,
    NOT_SUPPORTED = 3000,
    NOT_SUPPORTED_GRAPH_PATTERN = 3001,
    NOT_SUPPORTED_SHAPE = 3002,
    NOT_SUPPORTED_DATA_TYPE = 3003,
    NOT_SUPPORTED_LAYOUT = 3004,
    NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER = 3005,
    NOT_SUPPORTED_INCOMPATIBLE_CUDART = 3006,
    NOT_SUPPORTED_ARCH_MISMATCH = 3007,
    NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING = 3008,
    NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE = 3009,
    NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT = 3010,
    NOT_SUPPORTED_PADDING = 3011,
    NOT_SUPPORTED_BAD_LAUNCH_PARAM = 3012,
    NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API = 3013,
    INTERNAL_ERROR = 4000,
    INTERNAL_ERROR_COMPILATION_FAILED = 4001,
    INTERNAL_ERROR_UNEXPECTED_VALUE = 4002,
    INTERNAL_ERROR_HOST_ALLOCATION_FAILED = 4003,
    INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED = 4004,
    INTERNAL_ERROR_BAD_LAUNCH_PARAM = 4005,
    INTERNAL_ERROR_TEXTURE_CREATION_FAILED = 4006,
    EXECUTION_FAILED = 5000,
    EXECUTION_FAILED_CUDA_DRIVER = 5001,
    EXECUTION_FAILED_CUBLAS = 5002,
    EXECUTION_FAILED_CUDART = 5003,
    EXECUTION_FAILED_CURAND = 5004,
};

// cudnnDataType_t: CUDNN_DATA_FLOAT 0 ... the last one a cuDNN 9 header names
const int DATA_FLOAT = 0, DATA_DOUBLE = 1, DATA_KNOWN_LAST = 21;
// cudnnTensorFormat_t
const int TENSOR_NCHW = 0, TENSOR_NHWC = 1, TENSOR_NCHW_VECT_C = 2;
// cudnnConvolutionMode_t
const int CONVOLUTION = 0, CROSS_CORRELATION = 1;
// cudnnMathType_t: DEFAULT 0, TENSOR_OP 1, TENSOR_OP_ALLOW_CONVERSION 2, FMA 3
const int MATH_DEFAULT = 0, MATH_LAST = 3;
// cudnnDeterminism_t
const int NON_DETERMINISTIC = 0, DETERMINISTIC = 1;
// cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t counts
const int FWD_ALGO_COUNT = 8, BWD_DATA_ALGO_COUNT = 6, BWD_FILTER_ALGO_COUNT = 7;

const size_t VERSION = 90100; // 9.1.0: major * 10000 + minor * 100 + patch, as cuDNN 9 counts

// cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t (the three have this one layout)
struct AlgoPerf {
    int algo;
    int status;
    float time;
    size_t memory;
    int determinism;
    int mathType;
    int reserved[3];
};
static_assert(sizeof(AlgoPerf) == 48, "cudnnConvolutionFwdAlgoPerf_t is 48 bytes");
static_assert(offsetof(AlgoPerf, memory) == 16 && offsetof(AlgoPerf, mathType) == 28, "AlgoPerf layout");

// ------------------------------------------------------------------ objects
const uint32_t HANDLE_MAGIC = 0x48444e43u, TENSOR_MAGIC = 0x54444e43u, FILTER_MAGIC = 0x46444e43u,
               CONV_MAGIC = 0x43444e43u, DEAD_MAGIC = 0xdeadd00du;

struct Handle {
    uint32_t magic;
    void* stream;
};
struct Tensor { // also the filter: n = k (output channels), c, h = r, w = s
    uint32_t magic;
    bool set;
    int dataType, format;
    int n, c, h, w;
};
struct Conv {
    uint32_t magic;
    bool set;
    int padH, padW, u, v, dilH, dilW, mode, computeType;
    int mathType;
};

std::mutex g_mu;
std::unordered_set<const void*> g_live; // every live handle and descriptor
// destroyed objects are kept (magic DEAD) for a while before they are freed, so that a stale pointer is not at once
// the address of a new object of the same kind
std::deque<void*> g_quarantine;
const size_t QUARANTINE = 4096;

// ------------------------------------------------------------------ messages
const char* status_name(int s) {
    switch (s) {
#define N(x) case x: return "CUDNN_STATUS_" #x;
        N(SUCCESS) N(NOT_INITIALIZED) N(SUBLIBRARY_VERSION_MISMATCH) N(SERIALIZATION_VERSION_MISMATCH) N(DEPRECATED)
        N(LICENSE_ERROR) N(RUNTIME_IN_PROGRESS) N(RUNTIME_FP_OVERFLOW) N(SUBLIBRARY_LOADING_FAILED)
        N(BAD_PARAM) N(INVALID_VALUE) N(BAD_PARAM_NULL_POINTER) N(BAD_PARAM_MISALIGNED_POINTER)
        N(BAD_PARAM_NOT_FINALIZED) N(BAD_PARAM_OUT_OF_BOUND) N(BAD_PARAM_SIZE_INSUFFICIENT)
        N(BAD_PARAM_STREAM_MISMATCH) N(BAD_PARAM_SHAPE_MISMATCH) N(BAD_PARAM_DUPLICATED_ENTRIES)
        N(BAD_PARAM_ATTRIBUTE_TYPE) N(BAD_PARAM_CUDA_GRAPH_MISMATCH) N(BAD_PARAM_DESCRIPTOR_TYPE)
        N(NOT_SUPPORTED) N(NOT_SUPPORTED_GRAPH_PATTERN) N(NOT_SUPPORTED_SHAPE) N(NOT_SUPPORTED_DATA_TYPE)
        N(NOT_SUPPORTED_LAYOUT) N(NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER) N(NOT_SUPPORTED_INCOMPATIBLE_CUDART)
        N(NOT_SUPPORTED_ARCH_MISMATCH) N(NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING)
        N(NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE) N(NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT) N(NOT_SUPPORTED_PADDING)
        N(NOT_SUPPORTED_BAD_LAUNCH_PARAM) N(NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API)
        N(INTERNAL_ERROR) N(INTERNAL_ERROR_COMPILATION_FAILED) N(INTERNAL_ERROR_UNEXPECTED_VALUE)
        N(INTERNAL_ERROR_HOST_ALLOCATION_FAILED) N(INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED)
        N(INTERNAL_ERROR_BAD_LAUNCH_PARAM) N(INTERNAL_ERROR_TEXTURE_CREATION_FAILED)
        N(EXECUTION_FAILED) N(EXECUTION_FAILED_CUDA_DRIVER) N(EXECUTION_FAILED_CUBLAS) N(EXECUTION_FAILED_CUDART)
        N(EXECUTION_FAILED_CURAND)
#undef N
        default: return "CUDNN_UNKNOWN_STATUS";
    }
}

// Prints "geomend cuDNN emulator: fn: reason (STATUS)" and returns status.
__attribute__((format(printf, 3, 4))) int fail(int status, const char* fn, const char* fmt, ...) {
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::fprintf(stderr, "geomend cuDNN emulator: %s: %s (%s)\n", fn, buf, status_name(status));
    std::fflush(stderr);
    return status;
}

// ------------------------------------------------------------------ the device-range check
typedef int (*RangeOk)(const void*, unsigned long long);
std::atomic<RangeOk> g_rangeOk{nullptr};

RangeOk range_hook() {
    RangeOk f = g_rangeOk.load(std::memory_order_acquire);
    if (f != nullptr) return f;
    f = (RangeOk)dlsym(RTLD_DEFAULT, "gm_emu_device_range_ok");
    if (f == nullptr) {
        // the JVM and JCuda load libraries RTLD_LOCAL: look inside libcuda.so.1 if it is loaded (never load it)
        void* h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
        if (h != nullptr) {
            f = (RangeOk)dlsym(h, "gm_emu_device_range_ok");
            dlclose(h); // drops the reference RTLD_NOLOAD took; the library stays loaded
        }
    }
    if (f != nullptr) g_rangeOk.store(f, std::memory_order_release);
    return f;
}

// Null is BAD_PARAM; so is a range outside one live emulated device allocation (when that can be asked).
int check_range(const char* fn, const char* arg, const void* p, unsigned long long bytes) {
    if (p == nullptr) return fail(BAD_PARAM, fn, "%s is NULL", arg);
    RangeOk ok = range_hook();
    if (ok != nullptr && ok(p, bytes) != 1)
        return fail(BAD_PARAM, fn, "%s [%p, +%llu bytes) is not inside one live device allocation", arg, p, bytes);
    return SUCCESS;
}

// ------------------------------------------------------------------ object lookup (copies, under the lock)
int get_handle(const char* fn, const void* h) {
    if (h == nullptr) return fail(BAD_PARAM, fn, "handle is NULL");
    std::lock_guard<std::mutex> g(g_mu);
    if (g_live.count(h) == 0 || ((const Handle*)h)->magic != HANDLE_MAGIC)
        return fail(BAD_PARAM, fn, "handle %p is not a live cuDNN handle (destroyed, or never created)", h);
    return SUCCESS;
}

int get_tensor(const char* fn, const char* arg, const void* d, uint32_t magic, Tensor& out) {
    const char* kind = magic == TENSOR_MAGIC ? "tensor" : "filter";
    if (d == nullptr) return fail(BAD_PARAM, fn, "%s is NULL", arg);
    std::lock_guard<std::mutex> g(g_mu);
    if (g_live.count(d) == 0 || ((const Tensor*)d)->magic != magic)
        return fail(BAD_PARAM, fn, "%s %p is not a live %s descriptor", arg, d, kind);
    out = *(const Tensor*)d;
    if (!out.set) return fail(BAD_PARAM, fn, "%s: the %s descriptor was never set", arg, kind);
    return SUCCESS;
}

int get_conv(const char* fn, const void* d, Conv& out) {
    if (d == nullptr) return fail(BAD_PARAM, fn, "convDesc is NULL");
    std::lock_guard<std::mutex> g(g_mu);
    if (g_live.count(d) == 0 || ((const Conv*)d)->magic != CONV_MAGIC)
        return fail(BAD_PARAM, fn, "convDesc %p is not a live convolution descriptor", d);
    out = *(const Conv*)d;
    if (!out.set) return fail(BAD_PARAM, fn, "convDesc: the convolution descriptor was never set");
    return SUCCESS;
}

template <class T> int create(const char* fn, void** out, uint32_t magic) {
    if (out == nullptr) return fail(BAD_PARAM, fn, "the output pointer is NULL");
    T* o = (T*)std::calloc(1, sizeof(T));
    if (o == nullptr) return fail(INTERNAL_ERROR_HOST_ALLOCATION_FAILED, fn, "out of host memory");
    o->magic = magic;
    std::lock_guard<std::mutex> g(g_mu);
    g_live.insert(o);
    *out = o;
    return SUCCESS;
}

// nullOk: cuDNN's descriptor destroyers accept NULL (no-op); cudnnDestroy does not.
int destroy(const char* fn, void* o, uint32_t magic, const char* kind, bool nullOk) {
    if (o == nullptr) return nullOk ? (int)SUCCESS : fail(BAD_PARAM, fn, "%s is NULL", kind);
    std::lock_guard<std::mutex> g(g_mu);
    if (g_live.count(o) == 0 || *(const uint32_t*)o != magic)
        return fail(BAD_PARAM, fn, "%p is not a live %s (destroyed twice, or never created)", o, kind);
    g_live.erase(o);
    *(uint32_t*)o = DEAD_MAGIC;
    g_quarantine.push_back(o);
    if (g_quarantine.size() > QUARANTINE) {
        std::free(g_quarantine.front());
        g_quarantine.pop_front();
    }
    return SUCCESS;
}

// Runs the body, turning a C++ exception (out of memory, no thread) into a status instead of unwinding into C.
int guarded(const char* fn, const std::function<int()>& body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return fail(INTERNAL_ERROR_HOST_ALLOCATION_FAILED, fn, "out of host memory");
    } catch (const std::exception& e) {
        return fail(INTERNAL_ERROR, fn, "%s", e.what());
    } catch (...) {
        return fail(INTERNAL_ERROR, fn, "unexpected exception");
    }
}

// ------------------------------------------------------------------ descriptor setters
int check_type_format(const char* fn, int dataType, int format) {
    if (format < TENSOR_NCHW || format > TENSOR_NCHW_VECT_C) return fail(BAD_PARAM, fn, "format %d is not a cudnnTensorFormat_t", format);
    if (dataType < DATA_FLOAT || dataType > DATA_KNOWN_LAST) return fail(BAD_PARAM, fn, "dataType %d is not a cudnnDataType_t", dataType);
    if (format != TENSOR_NCHW)
        return fail(NOT_SUPPORTED, fn, "format %s: the emulator supports CUDNN_TENSOR_NCHW only",
                    format == TENSOR_NHWC ? "CUDNN_TENSOR_NHWC" : "CUDNN_TENSOR_NCHW_VECT_C");
    if (dataType != DATA_FLOAT)
        return fail(NOT_SUPPORTED, fn, "dataType %d: the emulator supports CUDNN_DATA_FLOAT only", dataType);
    return SUCCESS;
}

int set4d(const char* fn, void* d, uint32_t magic, int dataType, int format, int n, int c, int h, int w) {
    const char* kind = magic == TENSOR_MAGIC ? "tensor" : "filter";
    if (d == nullptr) return fail(BAD_PARAM, fn, "the %s descriptor is NULL", kind);
    {
        std::lock_guard<std::mutex> g(g_mu);
        if (g_live.count(d) == 0 || ((const Tensor*)d)->magic != magic)
            return fail(BAD_PARAM, fn, "%p is not a live %s descriptor", d, kind);
    }
    int st = check_type_format(fn, dataType, format);
    if (st != SUCCESS) return st;
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0) return fail(BAD_PARAM, fn, "dimensions %d x %d x %d x %d: each must be positive", n, c, h, w);
    if ((long long)n * c * h * w > 2147483647LL)
        return fail(NOT_SUPPORTED, fn, "%d x %d x %d x %d has more than 2^31 - 1 elements", n, c, h, w);
    std::lock_guard<std::mutex> g(g_mu);
    if (g_live.count(d) == 0) return fail(BAD_PARAM, fn, "the %s descriptor was destroyed meanwhile", kind);
    Tensor* t = (Tensor*)d;
    t->dataType = dataType;
    t->format = format;
    t->n = n, t->c = c, t->h = h, t->w = w;
    t->set = true;
    return SUCCESS;
}

// ------------------------------------------------------------------ geometry
size_t elems(const Tensor& t) { return (size_t)t.n * t.c * t.h * t.w; }

struct Geo {
    int N, C, H, W, K, R, S, P, Q;
    int padH, padW, u, v, dilH, dilW;
    bool flip; // CUDNN_CONVOLUTION: the filter is applied mirrored in both spatial dimensions
};

// x [N,C,H,W] (*) w [K,C,R,S] -> y [N,K,P,Q]; the names are those of the forward problem whatever the op.
int geometry(const char* fn, const char* xName, const Tensor& x, const char* wName, const Tensor& w, const Conv& cd,
             const char* yName, const Tensor& y, Geo& g) {
    if (cd.computeType != DATA_FLOAT) // (the setter already refuses others; kept for the invariant)
        return fail(NOT_SUPPORTED, fn, "computeType %d: only CUDNN_DATA_FLOAT", cd.computeType);
    if (x.c != w.c)
        return fail(BAD_PARAM, fn, "%s has %d channels, %s has %d input channels (groups = 1)", xName, x.c, wName, w.c);
    long long effR = (long long)(w.h - 1) * cd.dilH + 1, effS = (long long)(w.w - 1) * cd.dilW + 1;
    long long numH = (long long)x.h + 2LL * cd.padH - effR, numW = (long long)x.w + 2LL * cd.padW - effS;
    if (numH < 0 || numW < 0)
        return fail(BAD_PARAM, fn, "the dilated %s (%lld x %lld) is larger than the padded %s (%lld x %lld)", wName, effR,
                    effS, xName, (long long)x.h + 2LL * cd.padH, (long long)x.w + 2LL * cd.padW);
    long long P = 1 + numH / cd.u, Q = 1 + numW / cd.v;
    if (y.n != x.n || y.c != w.n || y.h != P || y.w != Q)
        return fail(BAD_PARAM, fn, "%s is %d x %d x %d x %d, the convolution of %s %d x %d x %d x %d by %s %d x %d x %d x %d "
                    "gives %d x %d x %lld x %lld", yName, y.n, y.c, y.h, y.w, xName, x.n, x.c, x.h, x.w, wName, w.n, w.c,
                    w.h, w.w, x.n, w.n, P, Q);
    g = Geo{x.n, x.c, x.h, x.w, w.n, w.h, w.w, (int)P, (int)Q, cd.padH, cd.padW, cd.u, cd.v, cd.dilH, cd.dilW,
            cd.mode == CONVOLUTION};
    return SUCCESS;
}

// The input offsets of every filter tap in storage order t = r * S + s: (row, column) offsets from the window's
// corner, mirrored for CUDNN_CONVOLUTION.
void taps(const Geo& g, int32_t* out) {
    for (int r = 0; r < g.R; r++)
        for (int s = 0; s < g.S; s++) {
            int t = r * g.S + s;
            out[2 * t] = (g.flip ? g.R - 1 - r : r) * g.dilH;
            out[2 * t + 1] = (g.flip ? g.S - 1 - s : s) * g.dilW;
        }
}
size_t tap_bytes(const Geo& g) { return (size_t)g.R * g.S * 2 * sizeof(int32_t); }

// ------------------------------------------------------------------ algorithms
enum Op { FWD = 0, BWD_DATA = 1, BWD_FILTER = 2 };
const char* const OP_NAME[] = {"forward", "backward-data", "backward-filter"};

// Algorithm 1 of every op (IMPLICIT_PRECOMP_GEMM / BWD_DATA_ALGO_1 / BWD_FILTER_ALGO_1) precomputes the tap table
// into the workspace, as cuDNN's precomputed-index kernels do; the others need none. All give the same result.
bool supported(Op op, int algo) {
    if (algo == 0 || algo == 1) return true;
    return op == BWD_FILTER && algo == 3;
}
int algo_count(Op op) { return op == FWD ? FWD_ALGO_COUNT : op == BWD_DATA ? BWD_DATA_ALGO_COUNT : BWD_FILTER_ALGO_COUNT; }
size_t workspace_bytes(const Geo& g, int algo) { return algo == 1 ? tap_bytes(g) : 0; }
int determinism(Op op, int algo) { // as cuDNN documents its algorithms (the emulator's results are deterministic anyway)
    if (op == BWD_DATA && algo == 0) return NON_DETERMINISTIC;
    if (op == BWD_FILTER && (algo == 0 || algo == 3)) return NON_DETERMINISTIC;
    return DETERMINISTIC;
}

int check_algo(const char* fn, Op op, int algo) {
    if (algo < 0 || algo >= algo_count(op)) return fail(BAD_PARAM, fn, "algo %d is not a %s algorithm", algo, OP_NAME[op]);
    if (!supported(op, algo))
        return fail(NOT_SUPPORTED, fn, "%s algo %d is not emulated (0 and 1%s are)", OP_NAME[op], algo,
                    op == BWD_FILTER ? " and 3" : "");
    return SUCCESS;
}

int heuristic(const char* fn, Op op, const Geo& g, int mathType, int requested, int* returned, AlgoPerf* perf) {
    if (requested <= 0) return fail(BAD_PARAM, fn, "requestedAlgoCount %d must be positive", requested);
    if (returned == nullptr || perf == nullptr) return fail(BAD_PARAM, fn, "returnedAlgoCount or perfResults is NULL");
    // ranked as cuDNN's heuristics often rank them: algo 0 first (for backward data and filter a non-deterministic
    // one, which geomend must skip: its NnKernels contract is bit-for-bit repeatability), then 3 (filter), then 1
    std::vector<int> order = {0};
    if (op == BWD_FILTER) order.push_back(3);
    order.push_back(1);
    for (int a = 0; a < algo_count(op); a++)
        if (!supported(op, a)) order.push_back(a);
    int n = std::min(requested, (int)order.size());
    for (int i = 0; i < n; i++) {
        AlgoPerf& p = perf[i];
        std::memset(&p, 0, sizeof p);
        p.algo = order[i];
        p.status = supported(op, p.algo) ? SUCCESS : NOT_SUPPORTED;
        p.time = -1.0f; // a heuristic, not a measurement
        p.memory = p.status == SUCCESS ? workspace_bytes(g, p.algo) : 0;
        p.determinism = determinism(op, p.algo);
        p.mathType = mathType;
    }
    *returned = n;
    return SUCCESS;
}

// The workspace the algorithm needs, written with the tap table when it needs one; the table to use in `tab`.
int workspace(const char* fn, const Geo& g, int algo, void* ws, size_t wsBytes, std::vector<int32_t>& tab) {
    size_t need = workspace_bytes(g, algo);
    if (wsBytes > 0 && ws != nullptr) {
        int st = check_range(fn, "workSpace", ws, wsBytes);
        if (st != SUCCESS) return st;
    }
    if (need > 0 && (ws == nullptr || wsBytes < need))
        return fail(BAD_PARAM, fn, "algo %d needs a workspace of %zu bytes, given %p of %zu bytes", algo, need, ws, wsBytes);
    tab.assign((size_t)g.R * g.S * 2, 0);
    taps(g, tab.data());
    if (need > 0) { // through the workspace, as a precomputed-index kernel would
        std::memcpy(ws, tab.data(), need);
        std::memcpy(tab.data(), ws, need);
    }
    return SUCCESS;
}

// ------------------------------------------------------------------ execution
int thread_count() {
    static int n = [] {
        const char* e = std::getenv("GEOMEND_CUDNN_EMULATOR_THREADS");
        int v = e != nullptr ? std::atoi(e) : 0;
        if (v <= 0) v = (int)std::thread::hardware_concurrency();
        return std::max(1, std::min(v, 256));
    }();
    return n;
}

// body(i) for i in [0, count): contiguous chunks over threads when the work (multiply-adds) is large enough. Each
// index is one output slice computed by exactly one thread in a fixed order, so results do not depend on the split.
void parallel_for(size_t count, double work, const std::function<void(size_t)>& body) {
    int t = (int)std::min<size_t>(count, (size_t)thread_count());
    if (work < 2e6 || t <= 1) {
        for (size_t i = 0; i < count; i++) body(i);
        return;
    }
    std::vector<std::thread> pool;
    std::exception_ptr err;
    std::mutex errMu;
    size_t chunk = (count + t - 1) / t;
    for (int k = 0; k < t; k++) {
        size_t b = k * chunk, e = std::min(count, b + chunk);
        if (b >= e) break;
        auto run = [&, b, e] {
            try {
                for (size_t i = b; i < e; i++) body(i);
            } catch (...) {
                std::lock_guard<std::mutex> g(errMu);
                if (!err) err = std::current_exception();
            }
        };
        try {
            pool.emplace_back(run);
        } catch (const std::system_error&) {
            run(); // no thread to be had: this one does it
        }
    }
    for (auto& th : pool) th.join();
    if (err) std::rethrow_exception(err);
}

inline float scaled(double result, double alpha, double beta, const float* dst) {
    return beta == 0.0 ? (float)(alpha * result) : (float)(alpha * result + beta * (double)*dst);
}

int scalars(const char* fn, const void* alpha, const void* beta, double& a, double& b) {
    if (alpha == nullptr || beta == nullptr) return fail(BAD_PARAM, fn, "alpha or beta is NULL");
    a = *(const float*)alpha; // float scaling factors for float tensors
    b = *(const float*)beta;
    return SUCCESS;
}

void forward(const Geo& g, const int32_t* tab, const float* x, const float* w, float* y, double alpha, double beta) {
    const int RS = g.R * g.S;
    parallel_for((size_t)g.N * g.K, (double)g.N * g.K * g.P * g.Q * g.C * RS, [&](size_t nk) {
        size_t n = nk / g.K, k = nk % g.K;
        const float* xn = x + n * g.C * g.H * g.W;
        const float* wk = w + k * g.C * RS;
        float* yp = y + nk * g.P * g.Q;
        for (int p = 0; p < g.P; p++)
            for (int q = 0; q < g.Q; q++) {
                double acc = 0;
                int h0 = p * g.u - g.padH, w0 = q * g.v - g.padW;
                for (int c = 0; c < g.C; c++) {
                    const float* xc = xn + (size_t)c * g.H * g.W;
                    const float* wc = wk + (size_t)c * RS;
                    for (int t = 0; t < RS; t++) {
                        int ih = h0 + tab[2 * t], iw = w0 + tab[2 * t + 1];
                        if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                        acc += (double)xc[(size_t)ih * g.W + iw] * (double)wc[t];
                    }
                }
                float* dst = yp + (size_t)p * g.Q + q;
                *dst = scaled(acc, alpha, beta, dst);
            }
    });
}

void backward_data(const Geo& g, const int32_t* tab, const float* w, const float* dy, float* dx, double alpha, double beta) {
    const int RS = g.R * g.S;
    parallel_for((size_t)g.N * g.C, (double)g.N * g.K * g.P * g.Q * g.C * RS, [&](size_t nc) {
        size_t n = nc / g.C, c = nc % g.C;
        const float* dyn = dy + n * g.K * g.P * g.Q;
        float* dxp = dx + nc * g.H * g.W;
        for (int ih = 0; ih < g.H; ih++)
            for (int iw = 0; iw < g.W; iw++) {
                double acc = 0;
                for (int k = 0; k < g.K; k++) {
                    const float* dyk = dyn + (size_t)k * g.P * g.Q;
                    const float* wkc = w + ((size_t)k * g.C + c) * RS;
                    for (int t = 0; t < RS; t++) {
                        int ph = ih + g.padH - tab[2 * t], pw = iw + g.padW - tab[2 * t + 1];
                        if (ph < 0 || pw < 0 || ph % g.u != 0 || pw % g.v != 0) continue;
                        int p = ph / g.u, q = pw / g.v;
                        if (p >= g.P || q >= g.Q) continue;
                        acc += (double)dyk[(size_t)p * g.Q + q] * (double)wkc[t];
                    }
                }
                float* dst = dxp + (size_t)ih * g.W + iw;
                *dst = scaled(acc, alpha, beta, dst);
            }
    });
}

void backward_filter(const Geo& g, const int32_t* tab, const float* x, const float* dy, float* dw, double alpha, double beta) {
    const int RS = g.R * g.S;
    parallel_for((size_t)g.K * g.C, (double)g.N * g.K * g.P * g.Q * g.C * RS, [&](size_t kc) {
        size_t k = kc / g.C, c = kc % g.C;
        for (int t = 0; t < RS; t++) {
            double acc = 0;
            for (int n = 0; n < g.N; n++) {
                const float* xc = x + ((size_t)n * g.C + c) * g.H * g.W;
                const float* dyk = dy + ((size_t)n * g.K + k) * g.P * g.Q;
                for (int p = 0; p < g.P; p++) {
                    int ih = p * g.u - g.padH + tab[2 * t];
                    if (ih < 0 || ih >= g.H) continue;
                    for (int q = 0; q < g.Q; q++) {
                        int iw = q * g.v - g.padW + tab[2 * t + 1];
                        if (iw < 0 || iw >= g.W) continue;
                        acc += (double)xc[(size_t)ih * g.W + iw] * (double)dyk[(size_t)p * g.Q + q];
                    }
                }
            }
            float* dst = dw + kc * RS + t;
            *dst = scaled(acc, alpha, beta, dst);
        }
    });
}

// The descriptors of one convolution op, looked up and checked, in forward terms (x, w, y).
struct Problem {
    Tensor x, w, y;
    Conv conv;
    Geo g;
};

// xD, wD, yD: the forward roles (input tensor, filter, output tensor) of the op's descriptors.
int problem(const char* fn, const void* handle, const char* xName, const void* xD, const char* wName, const void* wD,
            const void* convD, const char* yName, const void* yD, Problem& pr) {
    int st = get_handle(fn, handle);
    if (st == SUCCESS) st = get_tensor(fn, xName, xD, TENSOR_MAGIC, pr.x);
    if (st == SUCCESS) st = get_tensor(fn, wName, wD, FILTER_MAGIC, pr.w);
    if (st == SUCCESS) st = get_conv(fn, convD, pr.conv);
    if (st == SUCCESS) st = get_tensor(fn, yName, yD, TENSOR_MAGIC, pr.y);
    if (st == SUCCESS) st = geometry(fn, xName, pr.x, wName, pr.w, pr.conv, yName, pr.y, pr.g);
    return st;
}

} // namespace

// ================================================================== exports
API size_t cudnnGetVersion(void) { return VERSION; }

API const char* cudnnGetErrorString(int status) { return status_name(status); }

API int cudnnCreate(void** handle) {
    const char* fn = "cudnnCreate";
    return guarded(fn, [&] {
        int st = create<Handle>(fn, handle, HANDLE_MAGIC);
        return st;
    });
}

API int cudnnDestroy(void* handle) {
    return guarded("cudnnDestroy", [&] { return destroy("cudnnDestroy", handle, HANDLE_MAGIC, "cuDNN handle", false); });
}

API int cudnnSetStream(void* handle, void* stream) {
    const char* fn = "cudnnSetStream";
    return guarded(fn, [&] {
        int st = get_handle(fn, handle);
        if (st != SUCCESS) return st;
        if (stream != nullptr)
            return fail(NOT_SUPPORTED, fn, "stream %p: the emulator has the default (NULL) stream only", stream);
        std::lock_guard<std::mutex> g(g_mu);
        if (g_live.count(handle) != 0) ((Handle*)handle)->stream = stream;
        return (int)SUCCESS;
    });
}

API int cudnnCreateTensorDescriptor(void** desc) {
    return guarded("cudnnCreateTensorDescriptor", [&] { return create<Tensor>("cudnnCreateTensorDescriptor", desc, TENSOR_MAGIC); });
}
API int cudnnDestroyTensorDescriptor(void* desc) {
    return guarded("cudnnDestroyTensorDescriptor",
                   [&] { return destroy("cudnnDestroyTensorDescriptor", desc, TENSOR_MAGIC, "tensor descriptor", true); });
}
API int cudnnSetTensor4dDescriptor(void* desc, int format, int dataType, int n, int c, int h, int w) {
    const char* fn = "cudnnSetTensor4dDescriptor";
    return guarded(fn, [&] { return set4d(fn, desc, TENSOR_MAGIC, dataType, format, n, c, h, w); });
}

API int cudnnCreateFilterDescriptor(void** desc) {
    return guarded("cudnnCreateFilterDescriptor", [&] { return create<Tensor>("cudnnCreateFilterDescriptor", desc, FILTER_MAGIC); });
}
API int cudnnDestroyFilterDescriptor(void* desc) {
    return guarded("cudnnDestroyFilterDescriptor",
                   [&] { return destroy("cudnnDestroyFilterDescriptor", desc, FILTER_MAGIC, "filter descriptor", true); });
}
// note the order: dataType before format, unlike cudnnSetTensor4dDescriptor
API int cudnnSetFilter4dDescriptor(void* desc, int dataType, int format, int k, int c, int h, int w) {
    const char* fn = "cudnnSetFilter4dDescriptor";
    return guarded(fn, [&] { return set4d(fn, desc, FILTER_MAGIC, dataType, format, k, c, h, w); });
}

API int cudnnCreateConvolutionDescriptor(void** desc) {
    const char* fn = "cudnnCreateConvolutionDescriptor";
    return guarded(fn, [&] { return create<Conv>(fn, desc, CONV_MAGIC); }); // mathType 0 = CUDNN_DEFAULT_MATH
}
API int cudnnDestroyConvolutionDescriptor(void* desc) {
    return guarded("cudnnDestroyConvolutionDescriptor", [&] {
        return destroy("cudnnDestroyConvolutionDescriptor", desc, CONV_MAGIC, "convolution descriptor", true);
    });
}

API int cudnnSetConvolution2dDescriptor(void* desc, int padH, int padW, int u, int v, int dilH, int dilW, int mode,
                                        int computeType) {
    const char* fn = "cudnnSetConvolution2dDescriptor";
    return guarded(fn, [&] {
        if (desc == nullptr) return fail(BAD_PARAM, fn, "convDesc is NULL");
        if (padH < 0 || padW < 0) return fail(BAD_PARAM, fn, "padding %d, %d is negative", padH, padW);
        if (u <= 0 || v <= 0) return fail(BAD_PARAM, fn, "stride %d, %d must be positive", u, v);
        if (dilH <= 0 || dilW <= 0) return fail(BAD_PARAM, fn, "dilation %d, %d must be positive", dilH, dilW);
        if (mode != CONVOLUTION && mode != CROSS_CORRELATION) return fail(BAD_PARAM, fn, "mode %d is not a cudnnConvolutionMode_t", mode);
        if (computeType < DATA_FLOAT || computeType > DATA_KNOWN_LAST)
            return fail(BAD_PARAM, fn, "computeType %d is not a cudnnDataType_t", computeType);
        if (computeType != DATA_FLOAT)
            return fail(NOT_SUPPORTED, fn, "computeType %d: the emulator computes CUDNN_DATA_FLOAT convolutions only%s",
                        computeType, computeType == DATA_DOUBLE ? " (it accumulates in double anyway)" : "");
        std::lock_guard<std::mutex> g(g_mu);
        if (g_live.count(desc) == 0 || ((const Conv*)desc)->magic != CONV_MAGIC)
            return fail(BAD_PARAM, fn, "convDesc %p is not a live convolution descriptor", desc);
        Conv* cd = (Conv*)desc;
        cd->padH = padH, cd->padW = padW, cd->u = u, cd->v = v, cd->dilH = dilH, cd->dilW = dilW;
        cd->mode = mode, cd->computeType = computeType;
        cd->set = true;
        return (int)SUCCESS;
    });
}

API int cudnnSetConvolutionMathType(void* desc, int mathType) {
    const char* fn = "cudnnSetConvolutionMathType";
    return guarded(fn, [&] {
        if (desc == nullptr) return fail(BAD_PARAM, fn, "convDesc is NULL");
        if (mathType < MATH_DEFAULT || mathType > MATH_LAST) return fail(BAD_PARAM, fn, "mathType %d is not a cudnnMathType_t", mathType);
        std::lock_guard<std::mutex> g(g_mu);
        if (g_live.count(desc) == 0 || ((const Conv*)desc)->magic != CONV_MAGIC)
            return fail(BAD_PARAM, fn, "convDesc %p is not a live convolution descriptor", desc);
        ((Conv*)desc)->mathType = mathType; // recorded and reported; the arithmetic is the same (double) for all
        return (int)SUCCESS;
    });
}

// ------------------------------------------------------------------ heuristics and workspace sizes
API int cudnnGetConvolutionForwardAlgorithm_v7(void* handle, const void* xDesc, const void* wDesc, const void* convDesc,
                                               const void* yDesc, int requested, int* returned, void* perf) {
    const char* fn = "cudnnGetConvolutionForwardAlgorithm_v7";
    return guarded(fn, [&] {
        Problem pr;
        int st = problem(fn, handle, "xDesc", xDesc, "wDesc", wDesc, convDesc, "yDesc", yDesc, pr);
        return st != SUCCESS ? st : heuristic(fn, FWD, pr.g, pr.conv.mathType, requested, returned, (AlgoPerf*)perf);
    });
}
API int cudnnGetConvolutionBackwardDataAlgorithm_v7(void* handle, const void* wDesc, const void* dyDesc, const void* convDesc,
                                                    const void* dxDesc, int requested, int* returned, void* perf) {
    const char* fn = "cudnnGetConvolutionBackwardDataAlgorithm_v7";
    return guarded(fn, [&] {
        Problem pr;
        int st = problem(fn, handle, "dxDesc", dxDesc, "wDesc", wDesc, convDesc, "dyDesc", dyDesc, pr);
        return st != SUCCESS ? st : heuristic(fn, BWD_DATA, pr.g, pr.conv.mathType, requested, returned, (AlgoPerf*)perf);
    });
}
API int cudnnGetConvolutionBackwardFilterAlgorithm_v7(void* handle, const void* xDesc, const void* dyDesc, const void* convDesc,
                                                      const void* dwDesc, int requested, int* returned, void* perf) {
    const char* fn = "cudnnGetConvolutionBackwardFilterAlgorithm_v7";
    return guarded(fn, [&] {
        Problem pr;
        int st = problem(fn, handle, "xDesc", xDesc, "dwDesc", dwDesc, convDesc, "dyDesc", dyDesc, pr);
        return st != SUCCESS ? st : heuristic(fn, BWD_FILTER, pr.g, pr.conv.mathType, requested, returned, (AlgoPerf*)perf);
    });
}

namespace {
int workspace_size(const char* fn, Op op, const Problem& pr, int algo, size_t* size) {
    if (size == nullptr) return fail(BAD_PARAM, fn, "sizeInBytes is NULL");
    int st = check_algo(fn, op, algo);
    if (st != SUCCESS) return st;
    *size = workspace_bytes(pr.g, algo);
    return SUCCESS;
}
} // namespace

API int cudnnGetConvolutionForwardWorkspaceSize(void* handle, const void* xDesc, const void* wDesc, const void* convDesc,
                                                const void* yDesc, int algo, size_t* size) {
    const char* fn = "cudnnGetConvolutionForwardWorkspaceSize";
    return guarded(fn, [&] {
        Problem pr;
        int st = problem(fn, handle, "xDesc", xDesc, "wDesc", wDesc, convDesc, "yDesc", yDesc, pr);
        return st != SUCCESS ? st : workspace_size(fn, FWD, pr, algo, size);
    });
}
API int cudnnGetConvolutionBackwardDataWorkspaceSize(void* handle, const void* wDesc, const void* dyDesc, const void* convDesc,
                                                     const void* dxDesc, int algo, size_t* size) {
    const char* fn = "cudnnGetConvolutionBackwardDataWorkspaceSize";
    return guarded(fn, [&] {
        Problem pr;
        int st = problem(fn, handle, "dxDesc", dxDesc, "wDesc", wDesc, convDesc, "dyDesc", dyDesc, pr);
        return st != SUCCESS ? st : workspace_size(fn, BWD_DATA, pr, algo, size);
    });
}
API int cudnnGetConvolutionBackwardFilterWorkspaceSize(void* handle, const void* xDesc, const void* dyDesc, const void* convDesc,
                                                       const void* dwDesc, int algo, size_t* size) {
    const char* fn = "cudnnGetConvolutionBackwardFilterWorkspaceSize";
    return guarded(fn, [&] {
        Problem pr;
        int st = problem(fn, handle, "xDesc", xDesc, "dwDesc", dwDesc, convDesc, "dyDesc", dyDesc, pr);
        return st != SUCCESS ? st : workspace_size(fn, BWD_FILTER, pr, algo, size);
    });
}

// ------------------------------------------------------------------ the convolutions
API int cudnnConvolutionForward(void* handle, const void* alpha, const void* xDesc, const void* x, const void* wDesc,
                                const void* w, const void* convDesc, int algo, void* ws, size_t wsBytes, const void* beta,
                                const void* yDesc, void* y) {
    const char* fn = "cudnnConvolutionForward";
    return guarded(fn, [&] {
        Problem pr;
        double a = 0, b = 0;
        std::vector<int32_t> tab;
        int st = problem(fn, handle, "xDesc", xDesc, "wDesc", wDesc, convDesc, "yDesc", yDesc, pr);
        if (st == SUCCESS) st = scalars(fn, alpha, beta, a, b);
        if (st == SUCCESS) st = check_algo(fn, FWD, algo);
        if (st == SUCCESS) st = check_range(fn, "x", x, elems(pr.x) * 4);
        if (st == SUCCESS) st = check_range(fn, "w", w, elems(pr.w) * 4);
        if (st == SUCCESS) st = check_range(fn, "y", y, elems(pr.y) * 4);
        if (st == SUCCESS) st = workspace(fn, pr.g, algo, ws, wsBytes, tab);
        if (st != SUCCESS) return st;
        forward(pr.g, tab.data(), (const float*)x, (const float*)w, (float*)y, a, b);
        return (int)SUCCESS;
    });
}

API int cudnnConvolutionBackwardData(void* handle, const void* alpha, const void* wDesc, const void* w, const void* dyDesc,
                                     const void* dy, const void* convDesc, int algo, void* ws, size_t wsBytes,
                                     const void* beta, const void* dxDesc, void* dx) {
    const char* fn = "cudnnConvolutionBackwardData";
    return guarded(fn, [&] {
        Problem pr;
        double a = 0, b = 0;
        std::vector<int32_t> tab;
        int st = problem(fn, handle, "dxDesc", dxDesc, "wDesc", wDesc, convDesc, "dyDesc", dyDesc, pr);
        if (st == SUCCESS) st = scalars(fn, alpha, beta, a, b);
        if (st == SUCCESS) st = check_algo(fn, BWD_DATA, algo);
        if (st == SUCCESS) st = check_range(fn, "w", w, elems(pr.w) * 4);
        if (st == SUCCESS) st = check_range(fn, "dy", dy, elems(pr.y) * 4);
        if (st == SUCCESS) st = check_range(fn, "dx", dx, elems(pr.x) * 4);
        if (st == SUCCESS) st = workspace(fn, pr.g, algo, ws, wsBytes, tab);
        if (st != SUCCESS) return st;
        backward_data(pr.g, tab.data(), (const float*)w, (const float*)dy, (float*)dx, a, b);
        return (int)SUCCESS;
    });
}

API int cudnnConvolutionBackwardFilter(void* handle, const void* alpha, const void* xDesc, const void* x, const void* dyDesc,
                                       const void* dy, const void* convDesc, int algo, void* ws, size_t wsBytes,
                                       const void* beta, const void* dwDesc, void* dw) {
    const char* fn = "cudnnConvolutionBackwardFilter";
    return guarded(fn, [&] {
        Problem pr;
        double a = 0, b = 0;
        std::vector<int32_t> tab;
        int st = problem(fn, handle, "xDesc", xDesc, "dwDesc", dwDesc, convDesc, "dyDesc", dyDesc, pr);
        if (st == SUCCESS) st = scalars(fn, alpha, beta, a, b);
        if (st == SUCCESS) st = check_algo(fn, BWD_FILTER, algo);
        if (st == SUCCESS) st = check_range(fn, "x", x, elems(pr.x) * 4);
        if (st == SUCCESS) st = check_range(fn, "dy", dy, elems(pr.y) * 4);
        if (st == SUCCESS) st = check_range(fn, "dw", dw, elems(pr.w) * 4);
        if (st == SUCCESS) st = workspace(fn, pr.g, algo, ws, wsBytes, tab);
        if (st != SUCCESS) return st;
        backward_filter(pr.g, tab.data(), (const float*)x, (const float*)dy, (float*)dw, a, b);
        return (int)SUCCESS;
    });
}

// db [1, K, 1, 1] = alpha * (sum of dy over n, h, w) + beta * db
API int cudnnConvolutionBackwardBias(void* handle, const void* alpha, const void* dyDesc, const void* dy, const void* beta,
                                     const void* dbDesc, void* db) {
    const char* fn = "cudnnConvolutionBackwardBias";
    return guarded(fn, [&] {
        Tensor t, bt;
        double a = 0, b = 0;
        int st = get_handle(fn, handle);
        if (st == SUCCESS) st = get_tensor(fn, "dyDesc", dyDesc, TENSOR_MAGIC, t);
        if (st == SUCCESS) st = get_tensor(fn, "dbDesc", dbDesc, TENSOR_MAGIC, bt);
        if (st == SUCCESS && (bt.n != 1 || bt.c != t.c || bt.h != 1 || bt.w != 1))
            st = fail(BAD_PARAM, fn, "dbDesc is %d x %d x %d x %d, dyDesc %d x %d x %d x %d needs 1 x %d x 1 x 1", bt.n, bt.c,
                      bt.h, bt.w, t.n, t.c, t.h, t.w, t.c);
        if (st == SUCCESS) st = scalars(fn, alpha, beta, a, b);
        if (st == SUCCESS) st = check_range(fn, "dy", dy, elems(t) * 4);
        if (st == SUCCESS) st = check_range(fn, "db", db, elems(bt) * 4);
        if (st != SUCCESS) return st;
        const float* src = (const float*)dy;
        float* dst = (float*)db;
        size_t plane = (size_t)t.h * t.w;
        parallel_for((size_t)t.c, (double)elems(t), [&](size_t c) {
            double acc = 0;
            for (int n = 0; n < t.n; n++) {
                const float* p = src + ((size_t)n * t.c + c) * plane;
                for (size_t i = 0; i < plane; i++) acc += (double)p[i];
            }
            dst[c] = scaled(acc, a, b, dst + c);
        });
        return (int)SUCCESS;
    });
}

// C = alpha * A + beta * C, every dimension of A equal to C's or 1 (broadcast)
API int cudnnAddTensor(void* handle, const void* alpha, const void* aDesc, const void* A, const void* beta, const void* cDesc,
                       void* C) {
    const char* fn = "cudnnAddTensor";
    return guarded(fn, [&] {
        Tensor at, ct;
        double a = 0, b = 0;
        int st = get_handle(fn, handle);
        if (st == SUCCESS) st = get_tensor(fn, "aDesc", aDesc, TENSOR_MAGIC, at);
        if (st == SUCCESS) st = get_tensor(fn, "cDesc", cDesc, TENSOR_MAGIC, ct);
        if (st == SUCCESS) {
            int ad[4] = {at.n, at.c, at.h, at.w}, cdim[4] = {ct.n, ct.c, ct.h, ct.w};
            for (int i = 0; i < 4 && st == SUCCESS; i++)
                if (ad[i] != cdim[i] && ad[i] != 1)
                    st = fail(BAD_PARAM, fn, "aDesc %d x %d x %d x %d does not broadcast to cDesc %d x %d x %d x %d (dimension %d)",
                              at.n, at.c, at.h, at.w, ct.n, ct.c, ct.h, ct.w, i);
        }
        if (st == SUCCESS) st = scalars(fn, alpha, beta, a, b);
        if (st == SUCCESS) st = check_range(fn, "A", A, elems(at) * 4);
        if (st == SUCCESS) st = check_range(fn, "C", C, elems(ct) * 4);
        if (st != SUCCESS) return st;
        const float* src = (const float*)A;
        float* dst = (float*)C;
        parallel_for((size_t)ct.n * ct.c, (double)elems(ct) * 8, [&](size_t nc) {
            size_t n = nc / ct.c, c = nc % ct.c;
            size_t an = at.n == 1 ? 0 : n, ac = at.c == 1 ? 0 : c;
            const float* ap = src + (an * at.c + ac) * at.h * at.w;
            float* cp = dst + nc * ct.h * ct.w;
            for (int h = 0; h < ct.h; h++)
                for (int w = 0; w < ct.w; w++) {
                    size_t ai = (size_t)(at.h == 1 ? 0 : h) * at.w + (at.w == 1 ? 0 : w);
                    float* d = cp + (size_t)h * ct.w + w;
                    *d = scaled((double)ap[ai], a, b, d);
                }
        });
        return (int)SUCCESS;
    });
}
