// geomend CUDA emulator: the device side. cuda-src/*.cu are compiled UNCHANGED as C++17 by g++ with this header
// forced in front (-include), into the emulator's libcuda.so.1 (see build-emulator.sh and runtime.cpp).
//
// Every CUDA thread is a cooperative fiber of one worker OS thread; a block runs on one worker at a time, so
// __shared__ is `static thread_local` (one copy per worker = per running block). Fibers switch only at
// synchronisation points (block barriers, warp shuffles / votes / __syncwarp); the runtime checks that the
// threads meeting there are the ones that must (same source line, every thread of the block / every lane of the
// mask), like compute-sanitizer's synccheck. Floating point: -ffp-contract=off, so a*b+c is never fused (nvcc
// fuses where it likes, and its libm differs from glibc by a few ulp: exact kernels are exact here, the others
// are checked with tolerances against float64 references, as on a GPU).
#ifndef GEOMEND_EMU_DEVICE_H
#define GEOMEND_EMU_DEVICE_H

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#define __CUDACC_EMULATOR__ 1

struct uint3 { unsigned x, y, z; };
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};

namespace gm_emu {

struct Fiber;
struct Block;

// What a kernel thread reads through threadIdx, blockIdx, ...: the one thread_local of the whole library (the
// runtime fills the rest of the library's TLS block, i.e. the __shared__ arrays, with garbage in checking mode).
struct Tls {
    Fiber* fiber;      // the running CUDA thread (null outside a kernel)
    Block* block;      // the block this worker runs
    uint3 bidx;
    uint3 bdim, gdim;  // uint3, not dim3: Tls must be trivial (no TLS initialiser and guard, see runtime.cpp)
    void* ctx;         // the current context of this OS thread (driver API)
    void* worker;      // the worker this OS thread is (null for a caller thread)
};
extern thread_local Tls tls;
static_assert(std::is_trivial<Tls>::value, "a TLS guard would be overwritten by the checking mode's garbage");

uint3 thread_idx();
// synchronisation points; file / line identify the call site (a barrier is its source location)
void syncthreads(const char* file, int line);
int syncthreads_reduce(const char* file, int line, int op, int pred); // op 0 count, 1 and, 2 or
void syncwarp(const char* file, int line, unsigned mask);
// kind: 0 idx, 1 up, 2 down, 3 xor; returns the 8 bytes of the source lane's value
uint64_t shfl(const char* file, int line, unsigned mask, uint64_t v, int kind, int arg, int width);
unsigned vote(const char* file, int line, unsigned mask, int pred); // the ballot of pred over mask
unsigned active_mask();

template <class T> static inline uint64_t to_bits(T v) {
    static_assert(sizeof(T) <= 8, "shuffle of a type wider than 8 bytes");
    uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
}
template <class T> static inline T from_bits(uint64_t b) {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
}
template <class T> static inline T shfl_t(const char* f, int l, unsigned mask, T v, int kind, int arg, int width) {
    return from_bits<T>(shfl(f, l, mask, to_bits(v), kind, arg, width));
}

} // namespace gm_emu

// ------------------------------------------------------------------ qualifiers
#ifndef GM_EMU_DISCOVER // the discovery pass (build-emulator.sh) keeps these two as markers of the kernels
#define __global__
#define __launch_bounds__(...)
#endif
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __shared__ static thread_local
#define __constant__ static const

// ------------------------------------------------------------------ indices
#define threadIdx (::gm_emu::thread_idx())
#define blockIdx (::gm_emu::tls.bidx)
#define blockDim (::gm_emu::tls.bdim)
#define gridDim (::gm_emu::tls.gdim)
static constexpr int warpSize = 32;

// ------------------------------------------------------------------ synchronisation
#define __syncthreads() ::gm_emu::syncthreads(__FILE__, __LINE__)
#define __syncthreads_count(p) ::gm_emu::syncthreads_reduce(__FILE__, __LINE__, 0, (p) ? 1 : 0)
#define __syncthreads_and(p) ::gm_emu::syncthreads_reduce(__FILE__, __LINE__, 1, (p) ? 1 : 0)
#define __syncthreads_or(p) ::gm_emu::syncthreads_reduce(__FILE__, __LINE__, 2, (p) ? 1 : 0)
#define __syncwarp(...) ::gm_emu::syncwarp(__FILE__, __LINE__, gm_emu_mask_or_all(__VA_ARGS__))
static inline unsigned gm_emu_mask_or_all(unsigned m = 0xffffffffu) { return m; }
#define __shfl_sync(m, v, src, ...) ::gm_emu::shfl_t(__FILE__, __LINE__, (m), (v), 0, (src), gm_emu_width(__VA_ARGS__))
#define __shfl_up_sync(m, v, d, ...) ::gm_emu::shfl_t(__FILE__, __LINE__, (m), (v), 1, (d), gm_emu_width(__VA_ARGS__))
#define __shfl_down_sync(m, v, d, ...) ::gm_emu::shfl_t(__FILE__, __LINE__, (m), (v), 2, (d), gm_emu_width(__VA_ARGS__))
#define __shfl_xor_sync(m, v, x, ...) ::gm_emu::shfl_t(__FILE__, __LINE__, (m), (v), 3, (x), gm_emu_width(__VA_ARGS__))
static inline int gm_emu_width(int w = 32) { return w; }
#define __ballot_sync(m, p) ::gm_emu::vote(__FILE__, __LINE__, (m), (p) ? 1 : 0)
#define __any_sync(m, p) (::gm_emu::vote(__FILE__, __LINE__, (m), (p) ? 1 : 0) != 0u)
#define __all_sync(m, p) (::gm_emu::vote(__FILE__, __LINE__, (m), (p) ? 1 : 0) == (unsigned)(m))
#define __activemask() ::gm_emu::active_mask()
#define __threadfence() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define __threadfence_block() __atomic_thread_fence(__ATOMIC_SEQ_CST)

// ------------------------------------------------------------------ loads
template <class T> static inline T __ldg(const T* p) { return *p; }

// ------------------------------------------------------------------ arithmetic with explicit rounding (no FMA here)
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __drcp_rn(double a) { return 1.0 / a; }
static inline double __dsqrt_rn(double a) { return std::sqrt(a); }
static inline double __fma_rn(double a, double b, double c) { return std::fma(a, b, c); }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fmaf_rn(float a, float b, float c) { return std::fmaf(a, b, c); }
static inline float __frcp_rn(float a) { return 1.0f / a; }
static inline float __fsqrt_rn(float a) { return std::sqrt(a); }
static inline float __double2float_rn(double a) { return (float)a; }
static inline int __double2int_rz(double a) { return (int)a; }
static inline int __float2int_rz(float a) { return (int)a; }
static inline int __float2int_rn(float a) { return (int)std::nearbyint(a); }
static inline float __int2float_rn(int a) { return (float)a; }
static inline double __int2double_rn(int a) { return (double)a; }
static inline float __saturatef(float a) { return a < 0.0f ? 0.0f : (a > 1.0f ? 1.0f : a); }
// fast-math intrinsics: here the accurate functions
// (macros: glibc's math.h already declares functions of these names)
#define __expf(a) (::expf(a))
#define __logf(a) (::logf(a))
#define __powf(a, b) (::powf((a), (b)))
#define __sinf(a) (::sinf(a))
#define __cosf(a) (::cosf(a))
static inline float __fdividef(float a, float b) { return a / b; }
static inline float rsqrtf(float a) { return 1.0f / std::sqrt(a); }
static inline double rsqrt(double a) { return 1.0 / std::sqrt(a); }

// ------------------------------------------------------------------ bit casts and bit operations
static inline double __longlong_as_double(long long v) { return gm_emu::from_bits<double>((uint64_t)v); }
static inline long long __double_as_longlong(double v) { return (long long)gm_emu::to_bits(v); }
static inline float __int_as_float(int v) { return gm_emu::from_bits<float>((uint32_t)v); }
static inline int __float_as_int(float v) { return (int)(uint32_t)gm_emu::to_bits(v); }
static inline float __uint_as_float(unsigned v) { return gm_emu::from_bits<float>(v); }
static inline unsigned __float_as_uint(float v) { return (uint32_t)gm_emu::to_bits(v); }
static inline int __double2hiint(double v) { return (int)(gm_emu::to_bits(v) >> 32); }
static inline int __double2loint(double v) { return (int)(uint32_t)gm_emu::to_bits(v); }
static inline int __popc(unsigned v) { return __builtin_popcount(v); }
static inline int __popcll(unsigned long long v) { return __builtin_popcountll(v); }
static inline int __clz(int v) { return v == 0 ? 32 : __builtin_clz((unsigned)v); }
static inline int __clzll(long long v) { return v == 0 ? 64 : __builtin_clzll((unsigned long long)v); }
static inline int __ffs(int v) { return __builtin_ffs(v); }
static inline int __ffsll(long long v) { return __builtin_ffsll(v); }
static inline unsigned __brev(unsigned v) {
    v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
    v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
    v = ((v >> 4) & 0x0f0f0f0fu) | ((v & 0x0f0f0f0fu) << 4);
    v = ((v >> 8) & 0x00ff00ffu) | ((v & 0x00ff00ffu) << 8);
    return (v >> 16) | (v << 16);
}
static inline int __mul24(int a, int b) { return (int)((long long)(a << 8 >> 8) * (b << 8 >> 8)); }
static inline int __mulhi(int a, int b) { return (int)(((long long)a * b) >> 32); }

// ------------------------------------------------------------------ CUDA's integer min / max overloads
static inline int min(int a, int b) { return a < b ? a : b; }
static inline int max(int a, int b) { return a > b ? a : b; }
static inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
static inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
static inline long long min(long long a, long long b) { return a < b ? a : b; }
static inline long long max(long long a, long long b) { return a > b ? a : b; }
static inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
static inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
static inline long long min(int a, long long b) { return min((long long)a, b); }
static inline long long min(long long a, int b) { return min(a, (long long)b); }
static inline long long max(int a, long long b) { return max((long long)a, b); }
static inline long long max(long long a, int b) { return max(a, (long long)b); }
static inline float min(float a, float b) { return std::fmin(a, b); }
static inline float max(float a, float b) { return std::fmax(a, b); }
static inline double min(double a, double b) { return std::fmin(a, b); }
static inline double max(double a, double b) { return std::fmax(a, b); }

// ------------------------------------------------------------------ atomics (the kernels use none; for completeness)
// Blocks of one launch run on several workers at once: every atomic is a real one (a CAS loop where needed).
template <class T, class F> static inline T gm_emu_atomic(T* p, F f) {
    T o = __atomic_load_n(p, __ATOMIC_SEQ_CST);
    while (!__atomic_compare_exchange_n(p, &o, f(o), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
    return o;
}
template <class T, class U, class F> static inline T gm_emu_atomic_fp(T* p, F f) {
    U* q = reinterpret_cast<U*>(p);
    return gm_emu::from_bits<T>(gm_emu_atomic(q, [&](U o) { return (U)gm_emu::to_bits(f(gm_emu::from_bits<T>(o))); }));
}
template <class T> static inline T atomicAdd(T* p, T v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline float atomicAdd(float* p, float v) { return gm_emu_atomic_fp<float, uint32_t>(p, [=](float o) { return o + v; }); }
static inline double atomicAdd(double* p, double v) { return gm_emu_atomic_fp<double, uint64_t>(p, [=](double o) { return o + v; }); }
template <class T> static inline T atomicMax(T* p, T v) { return gm_emu_atomic(p, [=](T o) { return v > o ? v : o; }); }
template <class T> static inline T atomicMin(T* p, T v) { return gm_emu_atomic(p, [=](T o) { return v < o ? v : o; }); }
template <class T> static inline T atomicExch(T* p, T v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
template <class T> static inline T atomicCAS(T* p, T c, T v) {
    __atomic_compare_exchange_n(p, &c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return c;
}

#endif
