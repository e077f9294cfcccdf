// geomend CUDA emulator: the host side, a CPU stand-in for the CUDA driver API (libcuda.so.1) that JCuda's
// libJCudaDriver links against. It implements for real what bindings/ calls (init, device queries, the primary
// context, module load and function lookup by name, memory, synchronous streams and events, cuLaunchKernel) and
// runs the kernels of cuda-src/, compiled as C++ (device.h, kernel_table.h, build-emulator.sh).
//
// Execution: a launch's blocks are pulled by a pool of worker OS threads (GEOMEND_CUDA_EMULATOR_THREADS, default
// the hardware concurrency); a worker runs one block at a time, every CUDA thread of it a cooperative fiber with
// its own stack. The scheduler runs every runnable fiber until it reaches a synchronisation point (a block
// barrier, a warp shuffle / vote / __syncwarp) or exits, then resolves the points whose participants have all
// arrived, checking them like compute-sanitizer's synccheck: a barrier that only part of the block reaches,
// threads of a block at different barriers, warp operations whose lanes disagree on the mask or have exited are
// errors naming the kernel and the source line. A fault (SIGSEGV / SIGBUS) inside a kernel, e.g. a read past an
// allocation into its guard page, is CUDA_ERROR_ILLEGAL_ADDRESS naming kernel, block and thread. Errors inside a
// kernel are sticky, as on a GPU: the context refuses work until its primary context is released.
//
// Checking mode (GEOMEND_CUDA_EMULATOR_CHECK=1, seed GEOMEND_CUDA_EMULATOR_SEED): the runnable fibers of a block
// run in a seeded shuffled order in every round, and the library's thread-local storage (the __shared__ arrays of
// every kernel) is filled with seeded garbage at every block start, so that a missing barrier or a read of
// unwritten shared memory changes results instead of passing by luck.
//
// A test double of the driver's behaviour, not of a GPU's speed.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csetjmp>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <map>
#include <mutex>
#include <string>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "device.h"
#include "kernel_table.h"

namespace gm_emu {
thread_local Tls tls;
}
using namespace gm_emu;

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
enum : int {
    OK = 0,
    INVALID_VALUE = 1,
    OUT_OF_MEMORY = 2,
    NOT_INITIALIZED = 3,
    DEINITIALIZED = 4,
    NO_DEVICE = 100,
    INVALID_DEVICE = 101,
    INVALID_IMAGE = 200,
    INVALID_CONTEXT = 201,
    INVALID_HANDLE = 400,
    NOT_FOUND = 500,
    NOT_READY = 600,
    ILLEGAL_ADDRESS = 700,
    LAUNCH_OUT_OF_RESOURCES = 701,
    LAUNCH_FAILED = 719,
    NOT_SUPPORTED = 801,
    UNKNOWN = 999,
};

static const char* error_name(int e) {
    switch (e) {
    case OK: return "CUDA_SUCCESS";
    case INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
    case OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
    case NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
    case DEINITIALIZED: return "CUDA_ERROR_DEINITIALIZED";
    case NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
    case INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
    case INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
    case INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
    case INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
    case NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
    case NOT_READY: return "CUDA_ERROR_NOT_READY";
    case ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
    case LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    case LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
    case NOT_SUPPORTED: return "CUDA_ERROR_NOT_SUPPORTED";
    default: return nullptr;
    }
}
static const char* error_string(int e) {
    switch (e) {
    case OK: return "no error";
    case INVALID_VALUE: return "invalid argument";
    case OUT_OF_MEMORY: return "out of memory";
    case NOT_INITIALIZED: return "initialization error";
    case DEINITIALIZED: return "driver shutting down";
    case NO_DEVICE: return "no CUDA-capable device is detected";
    case INVALID_DEVICE: return "invalid device ordinal";
    case INVALID_IMAGE: return "device kernel image is invalid";
    case INVALID_CONTEXT: return "invalid device context";
    case INVALID_HANDLE: return "invalid resource handle";
    case NOT_FOUND: return "named symbol not found";
    case NOT_READY: return "device not ready";
    case ILLEGAL_ADDRESS: return "an illegal memory access was encountered";
    case LAUNCH_OUT_OF_RESOURCES: return "too many resources requested for launch";
    case LAUNCH_FAILED: return "unspecified launch failure";
    case NOT_SUPPORTED: return "operation not supported";
    default: return nullptr;
    }
}

static void say(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::fprintf(stderr, "geomend CUDA emulator: %s\n", buf);
    std::fflush(stderr);
}

// ------------------------------------------------------------------ device limits (those of an sm_90 part)
static const int MAX_THREADS = 1024, MAX_BX = 1024, MAX_BY = 1024, MAX_BZ = 64;
static const unsigned MAX_GX = 2147483647u, MAX_GY = 65535u, MAX_GZ = 65535u;
static const unsigned MAX_SMEM = 48 * 1024;
static const char DEVICE_NAME[] = "geomend CUDA emulator (CPU)";
static const int DRIVER_VERSION = 12060;

static int env_int(const char* name, int dflt) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == 0) return dflt;
    char* end = nullptr;
    long x = std::strtol(v, &end, 10);
    return end != nullptr && *end == 0 ? (int)x : dflt;
}
static int worker_count() {
    static int n = [] {
        int d = (int)std::thread::hardware_concurrency();
        int w = env_int("GEOMEND_CUDA_EMULATOR_THREADS", d > 0 ? d : 1);
        return std::max(1, std::min(w, 256));
    }();
    return n;
}
static bool check_mode() {
    static bool c = env_int("GEOMEND_CUDA_EMULATOR_CHECK", 0) != 0;
    return c;
}
static uint64_t check_seed() {
    static uint64_t s = (uint64_t)env_int("GEOMEND_CUDA_EMULATOR_SEED", 1);
    return s;
}

// ------------------------------------------------------------------ state
struct Ctx {
    int refs = 0;
    int sticky = OK; // an error inside a kernel: every later call fails with it until the context goes
};
struct Module {
    uint32_t magic;
};
struct Function {
    uint32_t magic;
    const KernelInfo* info;
};
struct Event {
    uint32_t magic;
    bool recorded;
    std::chrono::steady_clock::time_point t;
};
static const uint32_t MODULE_MAGIC = 0x6d6f6475, FUNCTION_MAGIC = 0x66756e63, EVENT_MAGIC = 0x65766e74;

struct Alloc {
    char* base;   // what the caller sees
    size_t size;  // what the caller asked for
    char* map;    // the mapping: [map, map + mapLen), its last page a guard
    size_t mapLen;
};

static std::mutex& g_mu = *new std::mutex; // guards everything below (never destroyed, like the workers)
static bool g_init = false;
static Ctx g_ctx;
static std::map<uintptr_t, Alloc> g_allocs; // by base
static std::vector<Module*> g_modules;
static const KernelInfo* g_kernels = nullptr;
static int g_kernelCount = 0;

static size_t page() {
    static size_t p = (size_t)sysconf(_SC_PAGESIZE);
    return p;
}

// The allocation holding [p, p + bytes) (bytes may be 0: then p may also be the end), or null. Caller holds g_mu.
static const Alloc* find_alloc(uintptr_t p, size_t bytes) {
    auto it = g_allocs.upper_bound(p);
    if (it == g_allocs.begin()) return nullptr;
    --it;
    const Alloc& a = it->second;
    uintptr_t b = (uintptr_t)a.base;
    if (p < b || p > b + a.size) return nullptr;
    if (bytes > a.size - (p - b)) return nullptr;
    return &a;
}

extern "C" __attribute__((visibility("default"))) int gm_emu_device_range_ok(const void* p, unsigned long long bytes) {
    std::lock_guard<std::mutex> g(g_mu);
    return find_alloc((uintptr_t)p, (size_t)bytes) != nullptr ? 1 : 0;
}

// The checks of every call that needs a current context. Caller holds g_mu.
static int need_ctx() {
    if (!g_init) return NOT_INITIALIZED;
    if (tls.ctx == nullptr || g_ctx.refs == 0) return INVALID_CONTEXT;
    return g_ctx.sticky;
}

// ------------------------------------------------------------------ fibers
namespace gm_emu {
struct Fiber {
    void* sp;        // saved stack pointer while switched out
    char* stack;     // lowest usable byte of its stack
    int state;       // READY, WAIT, DONE
    int linear;      // linear thread index in the block
    uint3 tid;
    // a synchronisation point it waits at
    int kind; // K_BAR, K_WARP
    const char* file;
    int line;
    int op; // barrier reduce op (-1 none) or warp op (0..3 shuffle, 4 vote, 5 syncwarp)
    unsigned mask;
    uint64_t value;
    int arg, width, pred;
    uint64_t result;
};
}
enum { READY = 0, WAIT = 1, DONE = 2 };
enum { K_BAR = 0, K_WARP = 1 };
enum { W_SHFL_IDX = 0, W_SHFL_UP = 1, W_SHFL_DOWN = 2, W_SHFL_XOR = 3, W_VOTE = 4, W_SYNC = 5 };

static const size_t FIBER_STACK = 128 * 1024;

namespace gm_emu {
struct Block {
    const KernelInfo* kernel;
    void** params;
    std::vector<Fiber>* fibers;
    int nthreads;
    void* schedSp; // the scheduler's stack pointer while a fiber runs
};
}

extern "C" void gm_emu_swap(void** save, void* to);
extern "C" void gm_emu_fiber_entry();
#if defined(__x86_64__)
// gm_emu_swap(save, to): pushes the callee-saved registers, stores the stack pointer in *save, switches to `to`
// and pops the registers saved there. A new fiber's stack holds zeros for them and gm_emu_fiber_entry as the
// return address; gm_emu_fiber_entry calls gm_emu_fiber_main(r12) with r12 = the Fiber.
asm(R"(
.text
.globl gm_emu_swap
.type gm_emu_swap,@function
gm_emu_swap:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
.size gm_emu_swap,.-gm_emu_swap
.globl gm_emu_fiber_entry
.type gm_emu_fiber_entry,@function
gm_emu_fiber_entry:
    movq %r12, %rdi
    call gm_emu_fiber_main
    ud2
.size gm_emu_fiber_entry,.-gm_emu_fiber_entry
)");
#elif defined(__aarch64__)
asm(R"(
.text
.globl gm_emu_swap
.type gm_emu_swap,%function
gm_emu_swap:
    sub sp, sp, #176
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mov x9, sp
    str x9, [x0]
    mov sp, x1
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #176
    ret
.size gm_emu_swap,.-gm_emu_swap
.globl gm_emu_fiber_entry
.type gm_emu_fiber_entry,%function
gm_emu_fiber_entry:
    mov x0, x19
    bl gm_emu_fiber_main
    brk #0
.size gm_emu_fiber_entry,.-gm_emu_fiber_entry
)");
#else
#error "the geomend CUDA emulator has a context switch for x86-64 and aarch64 only"
#endif

static void fiber_prepare(Fiber& f) {
    uintptr_t top = ((uintptr_t)f.stack + FIBER_STACK - 64) & ~(uintptr_t)15;
#if defined(__x86_64__)
    uint64_t* s = (uint64_t*)top;
    // after the six pops and the ret, rsp == top: 16-aligned at the call in gm_emu_fiber_entry, as the ABI wants
    *--s = (uint64_t)&gm_emu_fiber_entry;   // return address of gm_emu_swap
    *--s = 0;                               // rbp
    *--s = 0;                               // rbx
    *--s = (uint64_t)&f;                    // r12
    *--s = 0;                               // r13
    *--s = 0;                               // r14
    *--s = 0;                               // r15
    f.sp = s;
#else
    uint64_t* s = (uint64_t*)(top - 176);
    std::memset(s, 0, 176);
    s[0] = (uint64_t)&f;                    // x19
    s[11] = (uint64_t)&gm_emu_fiber_entry; // x30
    f.sp = s;
#endif
}

// ------------------------------------------------------------------ workers
struct Launch;
struct Worker {
    int id;
    std::vector<Fiber> fibers;
    char* stacks = nullptr; // 1024 stacks of FIBER_STACK, each above a guard page
    size_t stacksLen = 0;
    sigjmp_buf recover;
    volatile sig_atomic_t inKernel = 0;
    void* altStack = nullptr;
    uint64_t rng = 0;
    char* tlsBlock = nullptr; // this thread's TLS block of the library, and its size
    size_t tlsSize = 0;
};

struct Launch {
    const KernelInfo* kernel;
    void** params;
    dim3 grid, block;
    uint64_t serial;
    unsigned long long nblocks;
    std::atomic<unsigned long long> next{0};
    std::atomic<int> error{OK};
    std::mutex msgMu;
    std::string message;
    char faultMessage[512] = {0}; // written by the signal handler (no allocation there)
    int pending = 0; // workers still on it (under g_poolMu)
};

// never destroyed: the workers wait on them until the process ends (glibc's condition variable destructor would
// wait for them at exit)
static std::mutex& g_poolMu = *new std::mutex;
static std::mutex& g_launchMu = *new std::mutex;
static std::condition_variable& g_poolCv = *new std::condition_variable;
static std::condition_variable& g_doneCv = *new std::condition_variable;
static std::vector<std::thread> g_workers;
static Launch* g_launch = nullptr;
static uint64_t g_launchGen = 0;
static std::atomic<uint64_t> g_serial{0};

static void fail_launch(Launch& L, int code, const std::string& msg) {
    int expected = OK;
    if (L.error.compare_exchange_strong(expected, code)) {
        std::lock_guard<std::mutex> g(L.msgMu);
        L.message = msg;
    }
}

static uint64_t splitmix(uint64_t& s) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// The scheduler stops a block with this (a C++ exception never crosses a fiber switch: it is thrown and caught on
// the scheduler's own stack).
struct BlockError {
    int code;
    std::string msg;
};

static std::string where(const char* file, int line) {
    const char* s = std::strrchr(file, '/');
    return std::string(s ? s + 1 : file) + ":" + std::to_string(line);
}

extern "C" __attribute__((used)) void gm_emu_fiber_main(Fiber* f) {
    Block* b = tls.block;
    b->kernel->run(b->params);
    f->state = DONE;
    gm_emu_swap(&f->sp, b->schedSp);
    __builtin_trap(); // a finished fiber is never resumed
}

// Called by a fiber: wait at a synchronisation point until the scheduler resolves it.
static void wait_here(Fiber* f) {
    f->state = WAIT;
    gm_emu_swap(&f->sp, tls.block->schedSp);
}

static Fiber* self(const char* what) {
    Fiber* f = tls.fiber;
    if (f == nullptr) {
        say("%s called outside a kernel", what);
        std::abort();
    }
    return f;
}

uint3 gm_emu::thread_idx() { return self("threadIdx")->tid; }

void gm_emu::syncthreads(const char* file, int line) {
    Fiber* f = self("__syncthreads");
    f->kind = K_BAR, f->file = file, f->line = line, f->op = -1;
    wait_here(f);
}
int gm_emu::syncthreads_reduce(const char* file, int line, int op, int pred) {
    Fiber* f = self("__syncthreads_count/and/or");
    f->kind = K_BAR, f->file = file, f->line = line, f->op = op, f->pred = pred;
    wait_here(f);
    return (int)f->result;
}
void gm_emu::syncwarp(const char* file, int line, unsigned mask) {
    Fiber* f = self("__syncwarp");
    f->kind = K_WARP, f->file = file, f->line = line, f->op = W_SYNC, f->mask = mask;
    wait_here(f);
}
uint64_t gm_emu::shfl(const char* file, int line, unsigned mask, uint64_t v, int kind, int arg, int width) {
    Fiber* f = self("__shfl*_sync");
    f->kind = K_WARP, f->file = file, f->line = line, f->op = kind, f->mask = mask, f->value = v, f->arg = arg,
    f->width = width;
    wait_here(f);
    return f->result;
}
unsigned gm_emu::vote(const char* file, int line, unsigned mask, int pred) {
    Fiber* f = self("__ballot/__any/__all_sync");
    f->kind = K_WARP, f->file = file, f->line = line, f->op = W_VOTE, f->mask = mask, f->pred = pred;
    wait_here(f);
    return (unsigned)f->result;
}
unsigned gm_emu::active_mask() {
    Fiber* f = self("__activemask");
    std::vector<Fiber>& fs = *tls.block->fibers;
    int base = f->linear & ~31;
    unsigned m = 0;
    for (int l = 0; l < 32 && base + l < tls.block->nthreads; l++)
        if (fs[base + l].state != DONE) m |= 1u << l;
    return m;
}

static std::string block_str() {
    return "block (" + std::to_string(tls.bidx.x) + "," + std::to_string(tls.bidx.y) + "," +
           std::to_string(tls.bidx.z) + ")";
}
static std::string thread_str(const Fiber& f) {
    return "thread (" + std::to_string(f.tid.x) + "," + std::to_string(f.tid.y) + "," + std::to_string(f.tid.z) + ")";
}

// Resolves the warp operations of one warp that can be resolved. Returns how many lanes it released.
static int resolve_warp(Block& b, int base, Worker& w) {
    std::vector<Fiber>& fs = *b.fibers;
    int n = std::min(32, b.nthreads - base);
    int released = 0;
    for (int l = 0; l < n; l++) {
        Fiber& f = fs[base + l];
        if (f.state != WAIT || f.kind != K_WARP) continue;
        unsigned mask = f.mask;
        const char* kname = b.kernel->name;
        if (((mask >> l) & 1u) == 0)
            throw BlockError{LAUNCH_FAILED, std::string("kernel ") + kname + ": " + where(f.file, f.line) + ": " +
                                                block_str() + " " + thread_str(f) + " calls a warp operation with mask 0x" +
                                                ([&] { char s[16]; std::snprintf(s, sizeof s, "%08x", mask); return std::string(s); })() +
                                                " that does not include its own lane"};
        // every lane of the mask must be waiting at the same site with the same mask
        bool ready = true;
        for (int m = 0; m < 32; m++) {
            if (((mask >> m) & 1u) == 0) continue;
            if (m >= n)
                throw BlockError{LAUNCH_FAILED, std::string("kernel ") + kname + ": " + where(f.file, f.line) + ": " +
                                                    block_str() + ": a warp operation's mask names lane " +
                                                    std::to_string(m) + " of warp " + std::to_string(base / 32) +
                                                    ", which the block (" + std::to_string(b.nthreads) +
                                                    " threads) does not have"};
            Fiber& g = fs[base + m];
            if (g.state == DONE)
                throw BlockError{LAUNCH_FAILED, std::string("kernel ") + kname + ": " + where(f.file, f.line) + ": " +
                                                    block_str() + ": lane " + std::to_string(m) + " of warp " +
                                                    std::to_string(base / 32) +
                                                    " has exited but is in the mask of a warp operation"};
            if (g.state != WAIT || g.kind != K_WARP || g.file != f.file || g.line != f.line) {
                ready = false;
                continue;
            }
            if (g.mask != mask || g.op != f.op)
                throw BlockError{LAUNCH_FAILED, std::string("kernel ") + kname + ": " + where(f.file, f.line) + ": " +
                                                    block_str() + ": lanes of warp " + std::to_string(base / 32) +
                                                    " meet at one warp operation with different masks"};
        }
        if (!ready) continue;
        // resolve: every lane of the mask gets its result
        uint64_t ballot = 0;
        for (int m = 0; m < 32; m++)
            if (((mask >> m) & 1u) && fs[base + m].pred) ballot |= 1ull << m;
        uint64_t res[32];
        for (int m = 0; m < 32; m++) {
            if (((mask >> m) & 1u) == 0) continue;
            Fiber& g = fs[base + m];
            if (g.op == W_VOTE) {
                res[m] = ballot;
            } else if (g.op == W_SYNC) {
                res[m] = 0;
            } else {
                int width = g.width;
                if (width <= 0 || width > 32 || (width & (width - 1)) != 0)
                    throw BlockError{LAUNCH_FAILED, std::string("kernel ") + kname + ": " + where(g.file, g.line) +
                                                        ": shuffle width " + std::to_string(width) +
                                                        " is not a power of two <= 32"};
                int segBase = m & ~(width - 1), src;
                switch (g.op) {
                case W_SHFL_IDX: src = segBase + (g.arg & (width - 1)); break;
                case W_SHFL_UP: src = m - g.arg < segBase ? m : m - g.arg; break;
                case W_SHFL_DOWN: src = m + g.arg >= segBase + width ? m : m + g.arg; break;
                default: src = (m ^ g.arg) >= segBase + width ? m : (m ^ g.arg); break;
                }
                if (src < 0 || src >= 32 || ((mask >> src) & 1u) == 0)
                    res[m] = splitmix(w.rng); // an undefined value: the source lane does not take part
                else
                    res[m] = fs[base + src].value;
            }
        }
        for (int m = 0; m < 32; m++) {
            if (((mask >> m) & 1u) == 0) continue;
            fs[base + m].result = res[m];
            fs[base + m].state = READY;
            released++;
        }
    }
    return released;
}

// Resolves a block barrier when every thread of the block is at it; errors when the block cannot go on.
static void resolve_barrier(Block& b) {
    std::vector<Fiber>& fs = *b.fibers;
    const char* kname = b.kernel->name;
    int done = 0, atBar = 0, atWarp = 0;
    const Fiber* first = nullptr;
    const Fiber* other = nullptr;
    const Fiber* warpOne = nullptr;
    for (const Fiber& f : fs) {
        if (f.state == DONE) done++;
        else if (f.kind == K_BAR) {
            atBar++;
            if (first == nullptr) first = &f;
            else if (other == nullptr && (f.file != first->file || f.line != first->line)) other = &f;
        } else {
            atWarp++;
            if (warpOne == nullptr) warpOne = &f;
        }
    }
    if (atWarp > 0) {
        const Fiber& f = *warpOne;
        std::string m = std::string("kernel ") + kname + ": " + where(f.file, f.line) + ": " + block_str() + " " +
                        thread_str(f) + " waits at a warp operation that the other lanes of its mask never reach";
        if (first != nullptr) m += " (" + std::to_string(atBar) + " threads wait at the barrier at " + where(first->file, first->line) + ")";
        throw BlockError{LAUNCH_FAILED, m};
    }
    if (other != nullptr)
        throw BlockError{LAUNCH_FAILED, std::string("kernel ") + kname + ": " + block_str() +
                                            ": threads of one block wait at different barriers: " +
                                            where(first->file, first->line) + " and " + where(other->file, other->line)};
    if (done > 0)
        throw BlockError{LAUNCH_FAILED, std::string("kernel ") + kname + ": " + where(first->file, first->line) + ": " +
                                            block_str() + ": __syncthreads reached by " + std::to_string(atBar) +
                                            " of the block's " + std::to_string(b.nthreads) + " threads (" +
                                            std::to_string(done) + " have exited)"};
    int count = 0;
    for (const Fiber& f : fs) count += f.pred != 0;
    int op = first->op;
    for (Fiber& f : fs) {
        if (f.op != op)
            throw BlockError{LAUNCH_FAILED, std::string("kernel ") + kname + ": " + where(first->file, first->line) +
                                                ": threads of one barrier call different __syncthreads variants"};
        f.result = op == 0 ? (uint64_t)count : op == 1 ? (uint64_t)(count == b.nthreads) : op == 2 ? (uint64_t)(count > 0) : 0;
        f.state = READY;
    }
}

// The library's TLS block on this thread (the __shared__ arrays live there), found once per worker.
static int find_tls(struct dl_phdr_info* info, size_t, void* data) {
    Worker* w = (Worker*)data;
    Dl_info self{};
    if (dladdr((void*)&gm_emu_kernels, &self) == 0) return 0;
    if ((void*)info->dlpi_addr != self.dli_fbase) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_TLS && info->dlpi_tls_data != nullptr) {
            w->tlsBlock = (char*)info->dlpi_tls_data;
            w->tlsSize = info->dlpi_phdr[i].p_memsz;
        }
    return 1;
}

// Fills the library's TLS on this thread, all but `tls` itself, with garbage (checking mode, at block start).
static void scribble_shared(Worker& w, uint64_t seed) {
    if (w.tlsBlock == nullptr) return;
    char* lo = (char*)&tls;
    char* hi = lo + sizeof(Tls);
    uint64_t s = seed;
    for (size_t off = 0; off + 8 <= w.tlsSize; off += 8) {
        char* p = w.tlsBlock + off;
        uint64_t g = splitmix(s);
        if (p + 8 <= lo || p >= hi) std::memcpy(p, &g, 8);
    }
}

static void run_block(Worker& w, Launch& L, unsigned long long linearBlock) {
    Block b;
    b.kernel = L.kernel;
    b.params = L.params;
    b.fibers = &w.fibers;
    int bx = (int)L.block.x, by = (int)L.block.y, bz = (int)L.block.z;
    b.nthreads = bx * by * bz;
    tls.block = &b;
    tls.bidx = uint3{(unsigned)(linearBlock % L.grid.x), (unsigned)(linearBlock / L.grid.x % L.grid.y),
                         (unsigned)(linearBlock / ((unsigned long long)L.grid.x * L.grid.y))};
    tls.bdim = uint3{L.block.x, L.block.y, L.block.z};
    tls.gdim = uint3{L.grid.x, L.grid.y, L.grid.z};
    uint64_t seed = check_seed() ^ (L.serial * 0x9e3779b97f4a7c15ull) ^ (linearBlock * 0xc2b2ae3d27d4eb4full);
    w.rng = seed;
    if (check_mode()) scribble_shared(w, seed);
    std::vector<Fiber>& fs = w.fibers;
    fs.resize((size_t)b.nthreads);
    for (int i = 0; i < b.nthreads; i++) {
        Fiber& f = fs[(size_t)i];
        f = Fiber{};
        f.stack = w.stacks + (size_t)i * (FIBER_STACK + page()) + page();
        f.linear = i;
        f.tid = uint3{(unsigned)(i % bx), (unsigned)(i / bx % by), (unsigned)(i / (bx * by))};
        f.state = READY;
        fiber_prepare(f);
    }
    std::vector<int> order((size_t)b.nthreads);
    for (int i = 0; i < b.nthreads; i++) order[(size_t)i] = i;
    int live = b.nthreads;
    while (live > 0) {
        if (check_mode())
            for (int i = b.nthreads - 1; i > 0; i--) std::swap(order[(size_t)i], order[(size_t)(splitmix(w.rng) % (uint64_t)(i + 1))]);
        for (int i : order) {
            Fiber& f = fs[(size_t)i];
            if (f.state != READY) continue;
            tls.fiber = &f;
            gm_emu_swap(&b.schedSp, f.sp);
            tls.fiber = nullptr;
            if (f.state == DONE) live--;
        }
        if (live == 0) break;
        int released = 0;
        for (int base = 0; base < b.nthreads; base += 32) released += resolve_warp(b, base, w);
        if (released == 0) resolve_barrier(b);
    }
    tls.block = nullptr;
}

static void on_fault(int sig, siginfo_t* si, void* uc);
static struct sigaction g_prevSegv, g_prevBus;

static void worker_main(Worker* w) {
    tls.worker = w;
    // stacks: 1024 fibers, each with a guard page below it
    w->stacksLen = (size_t)MAX_THREADS * (FIBER_STACK + page());
    void* m = mmap(nullptr, w->stacksLen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        say("cannot map the fiber stacks of worker %d", w->id);
        std::abort();
    }
    w->stacks = (char*)m;
    for (int i = 0; i < MAX_THREADS; i++) mprotect(w->stacks + (size_t)i * (FIBER_STACK + page()), page(), PROT_NONE);
    // an alternate signal stack, so that a fault on a fiber's guard page can be reported
    stack_t ss{};
    ss.ss_size = 64 * 1024;
    w->altStack = std::malloc(ss.ss_size);
    ss.ss_sp = w->altStack;
    sigaltstack(&ss, nullptr);
    dl_iterate_phdr(find_tls, w);
    uint64_t seen = 0;
    for (;;) {
        Launch* L;
        {
            std::unique_lock<std::mutex> g(g_poolMu);
            g_poolCv.wait(g, [&] { return g_launchGen != seen; });
            seen = g_launchGen;
            L = g_launch;
        }
        if (L != nullptr) {
            for (;;) {
                if (L->error.load() != OK) break;
                unsigned long long blk = L->next.fetch_add(1);
                if (blk >= L->nblocks) break;
                if (sigsetjmp(w->recover, 1) != 0) {
                    // a fault inside the kernel: on_fault has recorded it; the fibers are abandoned
                    w->inKernel = 0;
                    tls.fiber = nullptr;
                    tls.block = nullptr;
                    break;
                }
                w->inKernel = 1;
                try {
                    run_block(*w, *L, blk);
                } catch (const BlockError& e) {
                    fail_launch(*L, e.code, e.msg);
                }
                w->inKernel = 0;
            }
        }
        {
            std::lock_guard<std::mutex> g(g_poolMu);
            if (L != nullptr && --L->pending == 0) g_doneCv.notify_all();
        }
    }
}

static Launch* g_faultLaunch = nullptr; // the launch running now (one at a time: g_launchMu)

static void on_fault(int sig, siginfo_t* si, void* uc) {
    Worker* w = (Worker*)tls.worker;
    if (w != nullptr && w->inKernel) {
        Launch* L = g_faultLaunch;
        char msg[512];
        uintptr_t a = (uintptr_t)si->si_addr;
        bool stack = a >= (uintptr_t)w->stacks && a < (uintptr_t)w->stacks + w->stacksLen;
        Fiber* f = tls.fiber;
        std::snprintf(msg, sizeof msg, "kernel %s: %s at address %p in block (%u,%u,%u) thread (%u,%u,%u)%s",
                      L != nullptr ? L->kernel->name : "?", stack ? "stack overflow of a CUDA thread" : "illegal memory access",
                      si->si_addr, tls.bidx.x, tls.bidx.y, tls.bidx.z, f ? f->tid.x : 0, f ? f->tid.y : 0,
                      f ? f->tid.z : 0, sig == SIGBUS ? " (SIGBUS)" : "");
        if (L != nullptr) {
            int expected = OK;
            if (L->error.compare_exchange_strong(expected, ILLEGAL_ADDRESS)) std::memcpy(L->faultMessage, msg, sizeof msg);
        }
        siglongjmp(w->recover, 1);
    }
    struct sigaction& prev = sig == SIGBUS ? g_prevBus : g_prevSegv;
    if (prev.sa_flags & SA_SIGINFO) {
        if (prev.sa_sigaction != nullptr) { prev.sa_sigaction(sig, si, uc); return; }
    } else if (prev.sa_handler != SIG_IGN && prev.sa_handler != SIG_DFL && prev.sa_handler != nullptr) {
        prev.sa_handler(sig);
        return;
    }
    // default action: die with the signal
    signal(sig, SIG_DFL);
    raise(sig);
}

static void start_workers() {
    if (!g_workers.empty()) return;
    struct sigaction sa{};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_prevSegv);
    sigaction(SIGBUS, &sa, &g_prevBus);
    int n = worker_count();
    for (int i = 0; i < n; i++) {
        Worker* w = new Worker();
        w->id = i;
        g_workers.emplace_back(worker_main, w);
        g_workers.back().detach();
    }
}

// ------------------------------------------------------------------ the driver API
#define API extern "C" __attribute__((visibility("default")))

API CUresult cuGetErrorName(CUresult e, const char** s) {
    if (s == nullptr) return INVALID_VALUE;
    *s = error_name(e);
    return *s == nullptr ? INVALID_VALUE : OK;
}
API CUresult cuGetErrorString(CUresult e, const char** s) {
    if (s == nullptr) return INVALID_VALUE;
    *s = error_string(e);
    return *s == nullptr ? INVALID_VALUE : OK;
}

API CUresult cuInit(unsigned flags) {
    if (flags != 0) return INVALID_VALUE;
    std::lock_guard<std::mutex> g(g_mu);
    if (!g_init) {
        g_kernels = gm_emu_kernels(&g_kernelCount);
        g_init = true;
        if (env_int("GEOMEND_CUDA_EMULATOR_VERBOSE", 0))
            say("initialised: %d kernels, %d worker threads%s", g_kernelCount, worker_count(), check_mode() ? ", checking mode" : "");
    }
    return OK;
}
API CUresult cuDriverGetVersion(int* v) {
    if (v == nullptr) return INVALID_VALUE;
    *v = DRIVER_VERSION;
    return OK;
}
API CUresult cuDeviceGetCount(int* n) {
    if (!g_init) return NOT_INITIALIZED;
    if (n == nullptr) return INVALID_VALUE;
    *n = 1;
    return OK;
}
API CUresult cuDeviceGet(CUdevice* d, int ordinal) {
    if (!g_init) return NOT_INITIALIZED;
    if (d == nullptr) return INVALID_VALUE;
    if (ordinal != 0) return INVALID_DEVICE;
    *d = 0;
    return OK;
}
API CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
    if (!g_init) return NOT_INITIALIZED;
    if (d != 0) return INVALID_DEVICE;
    if (name == nullptr || len <= 0) return INVALID_VALUE;
    std::snprintf(name, (size_t)len, "%s", DEVICE_NAME);
    return OK;
}
API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice d) {
    if (!g_init) return NOT_INITIALIZED;
    if (d != 0) return INVALID_DEVICE;
    if (bytes == nullptr) return INVALID_VALUE;
    *bytes = (size_t)sysconf(_SC_PHYS_PAGES) * page();
    return OK;
}
API CUresult cuDeviceComputeCapability(int* major, int* minor, CUdevice d) {
    if (!g_init) return NOT_INITIALIZED;
    if (d != 0) return INVALID_DEVICE;
    if (major == nullptr || minor == nullptr) return INVALID_VALUE;
    *major = 9, *minor = 0;
    return OK;
}
API CUresult cuDeviceGetAttribute(int* v, int attr, CUdevice d) {
    if (!g_init) return NOT_INITIALIZED;
    if (d != 0) return INVALID_DEVICE;
    if (v == nullptr) return INVALID_VALUE;
    switch (attr) {
    case 1: *v = MAX_THREADS; break;               // MAX_THREADS_PER_BLOCK
    case 2: *v = MAX_BX; break;
    case 3: *v = MAX_BY; break;
    case 4: *v = MAX_BZ; break;
    case 5: *v = (int)MAX_GX; break;
    case 6: *v = (int)MAX_GY; break;
    case 7: *v = (int)MAX_GZ; break;
    case 8: *v = (int)MAX_SMEM; break;              // MAX_SHARED_MEMORY_PER_BLOCK
    case 9: *v = 65536; break;                      // TOTAL_CONSTANT_MEMORY
    case 10: *v = 32; break;                        // WARP_SIZE
    case 12: *v = 65536; break;                     // MAX_REGISTERS_PER_BLOCK
    case 13: *v = 1000000; break;                   // CLOCK_RATE (kHz)
    case 16: *v = worker_count(); break;            // MULTIPROCESSOR_COUNT: one per worker thread
    case 39: *v = 2048; break;                      // MAX_THREADS_PER_MULTIPROCESSOR
    case 75: *v = 9; break;                         // COMPUTE_CAPABILITY_MAJOR
    case 76: *v = 0; break;                         // COMPUTE_CAPABILITY_MINOR
    case 81: *v = 228 * 1024; break;                // MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
    case 97: *v = (int)MAX_SMEM; break;             // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN (no opt-in here)
    default:
        if (attr <= 0 || attr > 140) return INVALID_VALUE;
        *v = 0;
    }
    return OK;
}

API CUresult cuDevicePrimaryCtxRetain(void** ctx, CUdevice d) {
    std::lock_guard<std::mutex> g(g_mu);
    if (!g_init) return NOT_INITIALIZED;
    if (d != 0) return INVALID_DEVICE;
    if (ctx == nullptr) return INVALID_VALUE;
    g_ctx.refs++;
    *ctx = &g_ctx;
    return OK;
}

// The primary context goes: its allocations and modules with it (as on a GPU), and a sticky error is forgotten.
static void destroy_context() {
    for (auto& kv : g_allocs) munmap(kv.second.map, kv.second.mapLen);
    g_allocs.clear();
    for (Module* m : g_modules) { m->magic = 0; delete m; }
    g_modules.clear();
    g_ctx.sticky = OK;
}

API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
    std::lock_guard<std::mutex> g(g_mu);
    if (!g_init) return NOT_INITIALIZED;
    if (d != 0) return INVALID_DEVICE;
    if (g_ctx.refs == 0) return INVALID_CONTEXT;
    if (--g_ctx.refs == 0) destroy_context();
    return OK;
}
API CUresult cuDevicePrimaryCtxGetState(CUdevice d, unsigned* flags, int* active) {
    if (!g_init) return NOT_INITIALIZED;
    if (d != 0) return INVALID_DEVICE;
    if (flags == nullptr || active == nullptr) return INVALID_VALUE;
    *flags = 0;
    *active = g_ctx.refs > 0;
    return OK;
}
API CUresult cuCtxSetCurrent(void* ctx) {
    if (!g_init) return NOT_INITIALIZED;
    if (ctx != nullptr && ctx != &g_ctx) return INVALID_CONTEXT;
    tls.ctx = ctx;
    return OK;
}
API CUresult cuCtxGetCurrent(void** ctx) {
    if (!g_init) return NOT_INITIALIZED;
    if (ctx == nullptr) return INVALID_VALUE;
    *ctx = tls.ctx;
    return OK;
}
API CUresult cuCtxGetDevice(CUdevice* d) {
    std::lock_guard<std::mutex> g(g_mu);
    if (!g_init) return NOT_INITIALIZED;
    if (tls.ctx == nullptr || g_ctx.refs == 0) return INVALID_CONTEXT;
    if (d == nullptr) return INVALID_VALUE;
    *d = 0;
    return OK;
}
API CUresult cuCtxSynchronize() {
    std::lock_guard<std::mutex> g(g_mu);
    return need_ctx(); // every operation is synchronous
}
API CUresult cuStreamSynchronize(void* stream) {
    std::lock_guard<std::mutex> g(g_mu);
    if (stream != nullptr) return INVALID_HANDLE; // only the null stream exists here
    return need_ctx();
}

// ------------------------------------------------------------------ modules
API CUresult cuModuleLoadData(void** module, const void* image) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (module == nullptr || image == nullptr) return INVALID_VALUE;
    const unsigned char* b = (const unsigned char*)image;
    uint32_t magic;
    std::memcpy(&magic, b, 4);
    bool fatbin = magic == 0xBA55ED50u, elf = b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
    bool ptx = std::strncmp((const char*)b, "//", 2) == 0 || std::strncmp((const char*)b, ".version", 8) == 0;
    if (!fatbin && !elf && !ptx) return INVALID_IMAGE;
    // the image's code is ignored: the kernels are the ones compiled into this library from cuda-src
    Module* m = new Module{MODULE_MAGIC};
    g_modules.push_back(m);
    *module = m;
    return OK;
}
API CUresult cuModuleUnload(void* module) {
    std::lock_guard<std::mutex> g(g_mu);
    if (!g_init) return NOT_INITIALIZED;
    auto it = std::find(g_modules.begin(), g_modules.end(), (Module*)module);
    if (module == nullptr || it == g_modules.end()) return INVALID_HANDLE;
    g_modules.erase(it);
    ((Module*)module)->magic = 0;
    delete (Module*)module;
    return OK;
}
API CUresult cuModuleGetFunction(void** fn, void* module, const char* name) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (fn == nullptr || name == nullptr) return INVALID_VALUE;
    if (module == nullptr || std::find(g_modules.begin(), g_modules.end(), (Module*)module) == g_modules.end())
        return INVALID_HANDLE;
    for (int i = 0; i < g_kernelCount; i++)
        if (std::strcmp(g_kernels[i].name, name) == 0) {
            // one Function per kernel, kept for the life of the library (as cheap as the GPU's handles)
            static std::map<const KernelInfo*, Function*> fns;
            Function*& f = fns[&g_kernels[i]];
            if (f == nullptr) f = new Function{FUNCTION_MAGIC, &g_kernels[i]};
            *fn = f;
            return OK;
        }
    return NOT_FOUND;
}
API CUresult cuFuncGetAttribute(int* v, int attr, void* fn) {
    if (!g_init) return NOT_INITIALIZED;
    Function* f = (Function*)fn;
    if (v == nullptr) return INVALID_VALUE;
    if (f == nullptr || f->magic != FUNCTION_MAGIC) return INVALID_HANDLE;
    switch (attr) {
    case 0: *v = f->info->maxThreads; break; // MAX_THREADS_PER_BLOCK
    case 1: *v = 0; break;                   // SHARED_SIZE_BYTES (not known here)
    case 2: *v = 0; break;                   // CONST_SIZE_BYTES
    case 3: *v = 0; break;                   // LOCAL_SIZE_BYTES
    case 4: *v = 32; break;                  // NUM_REGS (a plausible value)
    case 5: *v = 90; break;                  // PTX_VERSION
    case 6: *v = 90; break;                  // BINARY_VERSION
    default: return INVALID_VALUE;
    }
    return OK;
}

// ------------------------------------------------------------------ memory
API CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytes) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (dptr == nullptr || bytes == 0) return INVALID_VALUE;
    // the allocation ends 16-byte aligned right below a guard page, so that a read past its end faults
    size_t rounded = (bytes + 15) & ~(size_t)15;
    size_t body = (rounded + page() - 1) / page() * page();
    size_t len = body + page();
    void* m = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return OUT_OF_MEMORY;
    mprotect((char*)m + body, page(), PROT_NONE);
    Alloc a{(char*)m + body - rounded, bytes, (char*)m, len};
    // fresh device memory is not zero on a GPU: fill it with a pattern (a NaN for float and double)
    std::memset(a.base, 0xff, rounded);
    g_allocs[(uintptr_t)a.base] = a;
    *dptr = (CUdeviceptr)(uintptr_t)a.base;
    return OK;
}
API CUresult cuMemFree_v2(CUdeviceptr p) {
    std::lock_guard<std::mutex> g(g_mu);
    if (!g_init) return NOT_INITIALIZED;
    if (p == 0) return OK;
    auto it = g_allocs.find((uintptr_t)p);
    if (it == g_allocs.end()) {
        say("cuMemFree of 0x%llx, which is not the start of a live allocation", p);
        return INVALID_VALUE;
    }
    munmap(it->second.map, it->second.mapLen);
    g_allocs.erase(it);
    return OK;
}
API CUresult cuMemGetInfo_v2(size_t* freeBytes, size_t* total) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (freeBytes == nullptr || total == nullptr) return INVALID_VALUE;
    *total = (size_t)sysconf(_SC_PHYS_PAGES) * page();
    size_t avail = (size_t)sysconf(_SC_AVPHYS_PAGES) * page();
    *freeBytes = avail;
    return OK;
}
API CUresult cuMemGetAddressRange_v2(CUdeviceptr* base, size_t* size, CUdeviceptr p) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    const Alloc* a = find_alloc((uintptr_t)p, 0);
    if (a == nullptr || (uintptr_t)p == (uintptr_t)a->base + a->size) return NOT_FOUND;
    if (base) *base = (CUdeviceptr)(uintptr_t)a->base;
    if (size) *size = a->size;
    return OK;
}

static int check_range(const char* fn, const char* what, CUdeviceptr p, size_t bytes) {
    if (find_alloc((uintptr_t)p, bytes) != nullptr) return OK;
    say("%s: %s [0x%llx, +%zu bytes) is not inside one device allocation", fn, what, p, bytes);
    return INVALID_VALUE;
}

API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (bytes == 0) return OK;
    if (src == nullptr) return INVALID_VALUE;
    if ((e = check_range("cuMemcpyHtoD", "destination", dst, bytes)) != OK) return e;
    std::memcpy((void*)(uintptr_t)dst, src, bytes);
    return OK;
}
API CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (bytes == 0) return OK;
    if (dst == nullptr) return INVALID_VALUE;
    if ((e = check_range("cuMemcpyDtoH", "source", src, bytes)) != OK) return e;
    std::memcpy(dst, (const void*)(uintptr_t)src, bytes);
    return OK;
}
API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (bytes == 0) return OK;
    if ((e = check_range("cuMemcpyDtoD", "destination", dst, bytes)) != OK) return e;
    if ((e = check_range("cuMemcpyDtoD", "source", src, bytes)) != OK) return e;
    std::memmove((void*)(uintptr_t)dst, (const void*)(uintptr_t)src, bytes);
    return OK;
}
API CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t bytes) { return cuMemcpyDtoD_v2(dst, src, bytes); }
API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char v, size_t n) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (n == 0) return OK;
    if ((e = check_range("cuMemsetD8", "destination", dst, n)) != OK) return e;
    std::memset((void*)(uintptr_t)dst, v, n);
    return OK;
}
API CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned v, size_t n) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (n == 0) return OK;
    if ((dst & 3) != 0) return INVALID_VALUE;
    if ((e = check_range("cuMemsetD32", "destination", dst, n * 4)) != OK) return e;
    unsigned* p = (unsigned*)(uintptr_t)dst;
    for (size_t i = 0; i < n; i++) p[i] = v;
    return OK;
}

// ------------------------------------------------------------------ events (every operation is synchronous)
API CUresult cuEventCreate(void** ev, unsigned flags) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    if (ev == nullptr || flags > 0xf) return INVALID_VALUE;
    *ev = new Event{EVENT_MAGIC, false, {}};
    return OK;
}
API CUresult cuEventRecord(void* ev, void* stream) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    Event* x = (Event*)ev;
    if (x == nullptr || x->magic != EVENT_MAGIC || stream != nullptr) return INVALID_HANDLE;
    x->recorded = true;
    x->t = std::chrono::steady_clock::now();
    return OK;
}
API CUresult cuEventSynchronize(void* ev) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    Event* x = (Event*)ev;
    if (x == nullptr || x->magic != EVENT_MAGIC) return INVALID_HANDLE;
    return OK;
}
API CUresult cuEventQuery(void* ev) { return cuEventSynchronize(ev); }
API CUresult cuEventElapsedTime(float* ms, void* a, void* b) {
    std::lock_guard<std::mutex> g(g_mu);
    int e = need_ctx();
    if (e != OK) return e;
    Event* x = (Event*)a;
    Event* y = (Event*)b;
    if (ms == nullptr) return INVALID_VALUE;
    if (x == nullptr || y == nullptr || x->magic != EVENT_MAGIC || y->magic != EVENT_MAGIC) return INVALID_HANDLE;
    if (!x->recorded || !y->recorded) return INVALID_HANDLE;
    *ms = (float)std::chrono::duration<double, std::milli>(y->t - x->t).count();
    return OK;
}
API CUresult cuEventDestroy_v2(void* ev) {
    std::lock_guard<std::mutex> g(g_mu);
    if (!g_init) return NOT_INITIALIZED;
    Event* x = (Event*)ev;
    if (x == nullptr || x->magic != EVENT_MAGIC) return INVALID_HANDLE;
    x->magic = 0;
    delete x;
    return OK;
}

// ------------------------------------------------------------------ launch
API CUresult cuLaunchKernel(void* fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned smem, void* stream, void** params, void** extra) {
    std::lock_guard<std::mutex> one(g_launchMu); // one launch at a time, like one stream
    const KernelInfo* k;
    {
        std::lock_guard<std::mutex> g(g_mu);
        int e = need_ctx();
        if (e != OK) return e;
        Function* f = (Function*)fn;
        if (f == nullptr || f->magic != FUNCTION_MAGIC) return INVALID_HANDLE;
        if (stream != nullptr) return INVALID_HANDLE;
        k = f->info;
        if (extra != nullptr) {
            say("cuLaunchKernel of %s: the `extra` parameter form is not supported", k->name);
            return NOT_SUPPORTED;
        }
        if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0) return INVALID_VALUE;
        if (gx > MAX_GX || gy > MAX_GY || gz > MAX_GZ || bx > (unsigned)MAX_BX || by > (unsigned)MAX_BY ||
            bz > (unsigned)MAX_BZ) {
            say("cuLaunchKernel of %s: grid (%u,%u,%u) or block (%u,%u,%u) above the device limits", k->name, gx, gy, gz,
                bx, by, bz);
            return INVALID_VALUE;
        }
        unsigned long long threads = (unsigned long long)bx * by * bz;
        if (threads > (unsigned long long)k->maxThreads) {
            say("cuLaunchKernel of %s: %llu threads per block, above its __launch_bounds__ (%d)", k->name, threads,
                k->maxThreads);
            return INVALID_VALUE;
        }
        if (smem > MAX_SMEM) {
            say("cuLaunchKernel of %s: %u bytes of dynamic shared memory, above the %u a block may have", k->name, smem,
                MAX_SMEM);
            return INVALID_VALUE;
        }
        if (k->nparams > 0 && params == nullptr) return INVALID_VALUE;
        for (int i = 0; i < k->nparams; i++) {
            if (params[i] == nullptr) {
                say("cuLaunchKernel of %s: parameter %d is a null pointer to its value", k->name, i);
                return INVALID_VALUE;
            }
            if (!k->isPointer[i]) continue;
            uintptr_t p;
            std::memcpy(&p, params[i], sizeof p);
            if (p != 0 && find_alloc(p, 0) == nullptr) {
                say("cuLaunchKernel of %s: pointer parameter %d (0x%llx) is not inside a device allocation", k->name, i,
                    (unsigned long long)p);
                return ILLEGAL_ADDRESS;
            }
        }
    }
    Launch L;
    L.kernel = k;
    L.params = params;
    L.grid = dim3(gx, gy, gz);
    L.block = dim3(bx, by, bz);
    L.serial = g_serial.fetch_add(1);
    L.nblocks = (unsigned long long)gx * gy * gz;
    {
        std::unique_lock<std::mutex> g(g_poolMu);
        start_workers();
        L.pending = (int)g_workers.size();
        g_launch = &L;
        g_faultLaunch = &L;
        g_launchGen++;
        g_poolCv.notify_all();
        g_doneCv.wait(g, [&] { return L.pending == 0; });
        g_launch = nullptr;
        g_faultLaunch = nullptr;
    }
    int err = L.error.load();
    if (err != OK) {
        say("%s", L.faultMessage[0] != 0 ? L.faultMessage : L.message.c_str());
        std::lock_guard<std::mutex> g(g_mu);
        g_ctx.sticky = err; // as on a GPU: the context is unusable after a kernel fault
        return err;
    }
    return OK;
}
