// Self-test of the cuDNN emulator (cudnn_emu.cpp): dlopens the built libcudnn.so.9 by path and checks every
// export against naive float64 references written independently (scatter loops where the library gathers) on
// small random problems: padding, stride 2, dilation, both convolution modes, kernels larger than the image,
// alpha / beta other than (1, 0), beta = 0 over a NaN-filled destination, every algorithm the heuristics offer with
// exactly the workspace they ask for; then the error returns (null / destroyed / foreign handles and descriptors,
// bad dimensions, bad enum values, unsupported values, short workspaces) and the one-line stderr messages.
//
//   cudnn_emu_selftest LIBCUDNN_PATH
//
// Built twice by build-cudnn.sh --selftest: with -DGM_SELFTEST_HOOK=1 this program exports its own
// gm_emu_device_range_ok (linked -rdynamic), every buffer it hands the library is a registered "device
// allocation", and out-of-range pointers must be refused; with -DGM_SELFTEST_HOOK=0 there is no such symbol, so
// the library must skip the range checks and work on plain host memory.
//
// Exit status 0 when everything holds; 1 with one line per failure otherwise (any element off by more than
// 1e-5 relative, a wrong status, a write past a destination's end or into an input).
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#ifndef GM_SELFTEST_HOOK
#define GM_SELFTEST_HOOK 1
#endif

// ------------------------------------------------------------------ cuDNN 9 values the test uses
enum {
    SUCCESS = 0, NOT_INITIALIZED = 1001, BAD_PARAM = 2000, NOT_SUPPORTED = 3000,
    DATA_FLOAT = 0, DATA_DOUBLE = 1, DATA_HALF = 2,
    NCHW = 0, NHWC = 1,
    CONVOLUTION = 0, CROSS_CORRELATION = 1,
    DEFAULT_MATH = 0, TENSOR_OP_MATH = 1, FMA_MATH = 3,
};
struct AlgoPerf {
    int algo, status;
    float time;
    size_t memory;
    int determinism, mathType, reserved[3];
};
static_assert(sizeof(AlgoPerf) == 48, "perf struct");

typedef void* H;
static size_t (*GetVersion)();
static const char* (*GetErrorString)(int);
static int (*Create)(H*);
static int (*Destroy)(H);
static int (*SetStream)(H, void*);
static int (*CreateTensor)(H*);
static int (*SetTensor4d)(H, int, int, int, int, int, int);
static int (*DestroyTensor)(H);
static int (*CreateFilter)(H*);
static int (*SetFilter4d)(H, int, int, int, int, int, int);
static int (*DestroyFilter)(H);
static int (*CreateConv)(H*);
static int (*SetConv2d)(H, int, int, int, int, int, int, int, int);
static int (*SetConvMath)(H, int);
static int (*DestroyConv)(H);
typedef int (*AlgoFn)(H, H, H, H, H, int, int*, AlgoPerf*);
typedef int (*WsFn)(H, H, H, H, H, int, size_t*);
typedef int (*RunFn)(H, const void*, H, const void*, H, const void*, H, int, void*, size_t, const void*, H, void*);
static AlgoFn FwdAlgo, DataAlgo, FilterAlgo;
static WsFn FwdWs, DataWs, FilterWs;
static RunFn Forward, BackwardData, BackwardFilter;
static int (*AddTensor)(H, const void*, H, const void*, const void*, H, void*);
static int (*BackwardBias)(H, const void*, H, const void*, const void*, H, void*);

// ------------------------------------------------------------------ failures
static int g_failures = 0, g_checks = 0;
__attribute__((format(printf, 1, 2))) static void failf(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::printf("FAIL: %s\n", buf);
    std::fflush(stdout);
    g_failures++;
}
#define EXPECT_STATUS(call, want)                                                                          \
    do {                                                                                                   \
        g_checks++;                                                                                        \
        int got_ = (call);                                                                                 \
        if (got_ != (want)) failf("%s:%d: %s returned %d (%s), expected %d", __FILE__, __LINE__, #call, got_, \
                                  GetErrorString(got_), (int)(want));                                      \
    } while (0)
#define EXPECT(cond, ...)                  \
    do {                                   \
        g_checks++;                        \
        if (!(cond)) failf(__VA_ARGS__);   \
    } while (0)

// ------------------------------------------------------------------ "device" memory
static std::mutex g_mu;
struct Range { uintptr_t base; size_t bytes; };
static std::vector<Range> g_ranges;
[[maybe_unused]] static long g_hookCalls = 0;

#if GM_SELFTEST_HOOK
extern "C" __attribute__((visibility("default"))) int gm_emu_device_range_ok(const void* p, unsigned long long bytes) {
    std::lock_guard<std::mutex> g(g_mu);
    g_hookCalls++;
    uintptr_t a = (uintptr_t)p;
    for (const Range& r : g_ranges)
        if (a >= r.base && a <= r.base + r.bytes && bytes <= r.bytes - (a - r.base)) return 1;
    return 0;
}
#endif

const int GUARD = 16;           // floats after every buffer, registered as outside the allocation
const float SENTINEL = -7777.25f;

// A "device" buffer of n floats: registered as an allocation of exactly n floats; GUARD sentinels follow it.
struct Buf {
    float* p = nullptr;
    size_t n = 0;
    explicit Buf(size_t count) : n(count) {
        p = (float*)std::malloc((n + GUARD) * sizeof(float));
        if (p == nullptr) std::abort();
        for (size_t i = 0; i < n + GUARD; i++) p[i] = SENTINEL;
        std::lock_guard<std::mutex> g(g_mu);
        g_ranges.push_back({(uintptr_t)p, n * sizeof(float)});
    }
    Buf(const Buf&) = delete;
    Buf& operator=(const Buf&) = delete;
    ~Buf() {
        {
            std::lock_guard<std::mutex> g(g_mu);
            for (size_t i = 0; i < g_ranges.size(); i++)
                if (g_ranges[i].base == (uintptr_t)p) { g_ranges.erase(g_ranges.begin() + i); break; }
        }
        std::free(p);
    }
    void fill(const std::vector<float>& v) { std::memcpy(p, v.data(), n * sizeof(float)); }
    std::vector<float> get() const { return std::vector<float>(p, p + n); }
    bool guard_ok() const {
        for (int i = 0; i < GUARD; i++)
            if (std::memcmp(&p[n + i], &SENTINEL, sizeof(float)) != 0) return false;
        return true;
    }
};

// workspace: bytes of its own (an exact-size allocation), or none
struct Ws {
    void* p = nullptr;
    size_t bytes = 0;
    explicit Ws(size_t b) : bytes(b) {
        if (b == 0) return;
        p = std::malloc(b + 64);
        std::memset(p, 0x5a, b + 64);
        std::lock_guard<std::mutex> g(g_mu);
        g_ranges.push_back({(uintptr_t)p, b});
    }
    ~Ws() {
        if (p == nullptr) return;
        {
            std::lock_guard<std::mutex> g(g_mu);
            for (size_t i = 0; i < g_ranges.size(); i++)
                if (g_ranges[i].base == (uintptr_t)p) { g_ranges.erase(g_ranges.begin() + i); break; }
        }
        std::free(p);
    }
    bool tail_ok() const {
        if (p == nullptr) return true;
        for (int i = 0; i < 64; i++)
            if (((unsigned char*)p)[bytes + i] != 0x5a) return false;
        return true;
    }
};

static std::mt19937_64 g_rng(20260101);
static std::vector<float> randv(size_t n, float lo = -1, float hi = 1) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(g_rng);
    return v;
}

// got vs want: every element within 1e-5 relative (relative to max(|want_i|, 1e-6 * max |want|))
static void compare(const char* what, const std::string& cas, const std::vector<float>& got, const std::vector<double>& want) {
    g_checks++;
    if (got.size() != want.size()) { failf("%s %s: %zu values, expected %zu", what, cas.c_str(), got.size(), want.size()); return; }
    double mx = 0;
    for (double w : want) mx = std::max(mx, std::fabs(w));
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < got.size(); i++) {
        double den = std::max(std::fabs(want[i]), std::max(1e-6 * mx, 1e-30));
        double e = std::isfinite(got[i]) ? std::fabs((double)got[i] - want[i]) / den : std::numeric_limits<double>::infinity();
        if (!(e <= worst)) { worst = e; at = i; }
    }
    if (!(worst <= 1e-5))
        failf("%s %s: element %zu is %.9g, the float64 reference %.9g (relative error %.3g > 1e-5)", what, cas.c_str(),
              at, (double)got[at], want[at], worst);
}

// ------------------------------------------------------------------ references
struct Case {
    int N, C, K, H, W, R, S, padH, padW, u, v, dilH, dilW, mode;
    int P() const { return 1 + (H + 2 * padH - ((R - 1) * dilH + 1)) / u; }
    int Q() const { return 1 + (W + 2 * padW - ((S - 1) * dilW + 1)) / v; }
    std::string str() const {
        char b[200];
        std::snprintf(b, sizeof b, "[N%d C%d K%d %dx%d R%dxS%d pad %d,%d stride %d,%d dil %d,%d %s]", N, C, K, H, W, R, S,
                      padH, padW, u, v, dilH, dilW, mode == CONVOLUTION ? "conv" : "xcorr");
        return b;
    }
};

// the (r, s) filter element that input offset (r, s) of the window meets
static int fr(const Case& c, int r) { return c.mode == CONVOLUTION ? c.R - 1 - r : r; }
static int fs(const Case& c, int s) { return c.mode == CONVOLUTION ? c.S - 1 - s : s; }

static void ref_all(const Case& c, const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& dy,
                    std::vector<double>& y, std::vector<double>& dx, std::vector<double>& dw, std::vector<double>& db) {
    int P = c.P(), Q = c.Q();
    y.assign((size_t)c.N * c.K * P * Q, 0);
    dx.assign((size_t)c.N * c.C * c.H * c.W, 0);
    dw.assign((size_t)c.K * c.C * c.R * c.S, 0);
    db.assign(c.K, 0);
    for (int n = 0; n < c.N; n++)
        for (int k = 0; k < c.K; k++)
            for (int p = 0; p < P; p++)
                for (int q = 0; q < Q; q++) {
                    size_t yi = (((size_t)n * c.K + k) * P + p) * Q + q;
                    db[k] += dy[yi];
                    for (int ch = 0; ch < c.C; ch++)
                        for (int r = 0; r < c.R; r++)
                            for (int s = 0; s < c.S; s++) {
                                int ih = p * c.u - c.padH + r * c.dilH, iw = q * c.v - c.padW + s * c.dilW;
                                if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                                size_t xi = (((size_t)n * c.C + ch) * c.H + ih) * c.W + iw;
                                size_t wi = (((size_t)k * c.C + ch) * c.R + fr(c, r)) * c.S + fs(c, s);
                                y[yi] += (double)x[xi] * w[wi];
                                dx[xi] += (double)dy[yi] * w[wi];
                                dw[wi] += (double)x[xi] * dy[yi];
                            }
                }
}

static std::vector<double> blend(const std::vector<double>& r, double alpha, double beta, const std::vector<float>& prior) {
    std::vector<double> o(r.size());
    for (size_t i = 0; i < r.size(); i++) o[i] = alpha * r[i] + (beta == 0 ? 0.0 : beta * prior[i]);
    return o;
}

// ------------------------------------------------------------------ descriptor helpers
static H tensor(int n, int c, int h, int w) {
    H d = nullptr;
    EXPECT_STATUS(CreateTensor(&d), SUCCESS);
    EXPECT_STATUS(SetTensor4d(d, NCHW, DATA_FLOAT, n, c, h, w), SUCCESS);
    return d;
}
static H filter(int k, int c, int r, int s) {
    H d = nullptr;
    EXPECT_STATUS(CreateFilter(&d), SUCCESS);
    EXPECT_STATUS(SetFilter4d(d, DATA_FLOAT, NCHW, k, c, r, s), SUCCESS);
    return d;
}
static H conv(const Case& c, int math) {
    H d = nullptr;
    EXPECT_STATUS(CreateConv(&d), SUCCESS);
    EXPECT_STATUS(SetConv2d(d, c.padH, c.padW, c.u, c.v, c.dilH, c.dilW, c.mode, DATA_FLOAT), SUCCESS);
    EXPECT_STATUS(SetConvMath(d, math), SUCCESS);
    return d;
}

// the algorithms the heuristic calls usable, each with the workspace size the size query gives
static std::vector<std::pair<int, size_t>> algos(const char* what, AlgoFn heur, WsFn wsq, H handle, H a, H b, H cd, H d,
                                                 int count, int math) {
    std::vector<AlgoPerf> perf(16);
    int returned = -1;
    EXPECT_STATUS(heur(handle, a, b, cd, d, 16, &returned, perf.data()), SUCCESS);
    EXPECT(returned == count, "%s heuristic returned %d results, expected %d (every algorithm)", what, returned, count);
    std::vector<std::pair<int, size_t>> out;
    std::vector<int> seen(count, 0);
    for (int i = 0; i < std::max(0, std::min(returned, 16)); i++) {
        const AlgoPerf& p = perf[i];
        EXPECT(p.algo >= 0 && p.algo < count && !seen[p.algo], "%s heuristic: algo %d bad or repeated", what, p.algo);
        if (p.algo < 0 || p.algo >= count) continue;
        seen[p.algo] = 1;
        EXPECT(p.mathType == math, "%s heuristic: mathType %d, the descriptor has %d", what, p.mathType, math);
        EXPECT(p.determinism == 0 || p.determinism == 1, "%s heuristic: determinism %d", what, p.determinism);
        if (p.status != SUCCESS) {
            EXPECT(p.status == NOT_SUPPORTED, "%s heuristic: algo %d status %d", what, p.algo, p.status);
            size_t sz = 0;
            EXPECT_STATUS(wsq(handle, a, b, cd, d, p.algo, &sz), NOT_SUPPORTED);
            continue;
        }
        size_t sz = 12345;
        EXPECT_STATUS(wsq(handle, a, b, cd, d, p.algo, &sz), SUCCESS);
        EXPECT(sz == p.memory, "%s algo %d: workspace query %zu, heuristic %zu", what, p.algo, sz, p.memory);
        out.push_back({p.algo, sz});
    }
    EXPECT(!out.empty() && perf[0].status == SUCCESS, "%s heuristic: the first result must be usable", what);
    return out;
}

static bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// ------------------------------------------------------------------ one convolution problem, every op and algorithm
static void run_case(H handle, const Case& c) {
    const std::string cs = c.str();
    const int P = c.P(), Q = c.Q();
    auto x = randv((size_t)c.N * c.C * c.H * c.W), w = randv((size_t)c.K * c.C * c.R * c.S),
         dy = randv((size_t)c.N * c.K * P * Q);
    std::vector<double> ry, rdx, rdw, rdb;
    ref_all(c, x, w, dy, ry, rdx, rdw, rdb);
    const int math = c.mode == CONVOLUTION ? DEFAULT_MATH : FMA_MATH;
    H xd = tensor(c.N, c.C, c.H, c.W), yd = tensor(c.N, c.K, P, Q), bd = tensor(1, c.K, 1, 1);
    H wd = filter(c.K, c.C, c.R, c.S), cd = conv(c, math);
    Buf bx(x.size()), bw(w.size()), bdy(dy.size()), by(ry.size()), bdx(rdx.size()), bdw(rdw.size()), bdb(c.K);
    bx.fill(x), bw.fill(w), bdy.fill(dy);

    struct AB { float alpha, beta; bool nanPrior; };
    const AB abs[] = {{1, 0, true}, {0.75f, -1.5f, false}, {-2, 1, false}, {1.5f, 0, true}};
    auto prior = [&](Buf& b, bool nan) {
        std::vector<float> v = nan ? std::vector<float>(b.n, std::numeric_limits<float>::quiet_NaN()) : randv(b.n, -3, 3);
        b.fill(v);
        return v;
    };
    auto inputs_intact = [&](const char* what, int algo) {
        EXPECT(same_bits(bx.get(), x) && same_bits(bw.get(), w) && same_bits(bdy.get(), dy),
               "%s %s algo %d wrote into an input", what, cs.c_str(), algo);
    };

    // forward
    for (auto [algo, bytes] : algos("forward", FwdAlgo, FwdWs, handle, xd, wd, cd, yd, 8, math))
        for (const AB& ab : abs) {
            Ws ws(bytes);
            auto y0 = prior(by, ab.nanPrior);
            EXPECT_STATUS(Forward(handle, &ab.alpha, xd, bx.p, wd, bw.p, cd, algo, ws.p, ws.bytes, &ab.beta, yd, by.p), SUCCESS);
            char what[96];
            std::snprintf(what, sizeof what, "forward algo %d alpha %g beta %g", algo, ab.alpha, ab.beta);
            compare(what, cs, by.get(), blend(ry, ab.alpha, ab.beta, y0));
            EXPECT(by.guard_ok() && ws.tail_ok(), "%s %s: wrote past the end of y or the workspace", what, cs.c_str());
            inputs_intact("forward", algo);
        }
    // backward data: the descriptors in the order (w, dy, conv, dx)
    for (auto [algo, bytes] : algos("backward-data", DataAlgo, DataWs, handle, wd, yd, cd, xd, 6, math))
        for (const AB& ab : abs) {
            Ws ws(bytes);
            auto dx0 = prior(bdx, ab.nanPrior);
            EXPECT_STATUS(BackwardData(handle, &ab.alpha, wd, bw.p, yd, bdy.p, cd, algo, ws.p, ws.bytes, &ab.beta, xd, bdx.p),
                          SUCCESS);
            char what[96];
            std::snprintf(what, sizeof what, "backward-data algo %d alpha %g beta %g", algo, ab.alpha, ab.beta);
            compare(what, cs, bdx.get(), blend(rdx, ab.alpha, ab.beta, dx0));
            EXPECT(bdx.guard_ok() && ws.tail_ok(), "%s %s: wrote past the end of dx or the workspace", what, cs.c_str());
            inputs_intact("backward-data", algo);
        }
    // backward filter: (x, dy, conv, dw); twice for (1, 0), which must agree bit for bit
    for (auto [algo, bytes] : algos("backward-filter", FilterAlgo, FilterWs, handle, xd, yd, cd, wd, 7, math))
        for (const AB& ab : abs) {
            Ws ws(bytes);
            auto dw0 = prior(bdw, ab.nanPrior);
            EXPECT_STATUS(BackwardFilter(handle, &ab.alpha, xd, bx.p, yd, bdy.p, cd, algo, ws.p, ws.bytes, &ab.beta, wd, bdw.p),
                          SUCCESS);
            char what[96];
            std::snprintf(what, sizeof what, "backward-filter algo %d alpha %g beta %g", algo, ab.alpha, ab.beta);
            compare(what, cs, bdw.get(), blend(rdw, ab.alpha, ab.beta, dw0));
            EXPECT(bdw.guard_ok() && ws.tail_ok(), "%s %s: wrote past the end of dw or the workspace", what, cs.c_str());
            inputs_intact("backward-filter", algo);
            if (ab.beta == 0) {
                auto first = bdw.get();
                prior(bdw, true);
                EXPECT_STATUS(BackwardFilter(handle, &ab.alpha, xd, bx.p, yd, bdy.p, cd, algo, ws.p, ws.bytes, &ab.beta, wd,
                                             bdw.p), SUCCESS);
                EXPECT(same_bits(first, bdw.get()), "backward-filter algo %d %s: a repeat differs", algo, cs.c_str());
            }
        }
    // backward bias
    for (const AB& ab : abs) {
        auto db0 = prior(bdb, ab.nanPrior);
        EXPECT_STATUS(BackwardBias(handle, &ab.alpha, yd, bdy.p, &ab.beta, bd, bdb.p), SUCCESS);
        char what[96];
        std::snprintf(what, sizeof what, "backward-bias alpha %g beta %g", ab.alpha, ab.beta);
        compare(what, cs, bdb.get(), blend(rdb, ab.alpha, ab.beta, db0));
        EXPECT(bdb.guard_ok(), "%s %s: wrote past the end of db", what, cs.c_str());
    }
    EXPECT_STATUS(DestroyTensor(xd), SUCCESS);
    EXPECT_STATUS(DestroyTensor(yd), SUCCESS);
    EXPECT_STATUS(DestroyTensor(bd), SUCCESS);
    EXPECT_STATUS(DestroyFilter(wd), SUCCESS);
    EXPECT_STATUS(DestroyConv(cd), SUCCESS);
}

// ------------------------------------------------------------------ cudnnAddTensor
static void add_tensor(H handle) {
    struct Shape { int n, c, h, w; };
    const Shape cshape{2, 5, 3, 4};
    const Shape ashapes[] = {{1, 5, 1, 1}, {2, 5, 3, 4}, {1, 1, 3, 4}, {2, 1, 1, 4}, {1, 1, 1, 1}};
    const float ab[][2] = {{1, 1}, {1, 0}, {0.5f, -2}, {-1.25f, 0.75f}};
    H cdsc = tensor(cshape.n, cshape.c, cshape.h, cshape.w);
    Buf bc((size_t)cshape.n * cshape.c * cshape.h * cshape.w);
    for (const Shape& s : ashapes) {
        H adsc = tensor(s.n, s.c, s.h, s.w);
        auto a = randv((size_t)s.n * s.c * s.h * s.w);
        Buf ba(a.size());
        ba.fill(a);
        for (const auto& sc : ab) {
            float alpha = sc[0], beta = sc[1];
            std::vector<float> c0 = beta == 0 ? std::vector<float>(bc.n, std::numeric_limits<float>::quiet_NaN()) : randv(bc.n);
            bc.fill(c0);
            EXPECT_STATUS(AddTensor(handle, &alpha, adsc, ba.p, &beta, cdsc, bc.p), SUCCESS);
            std::vector<double> want(bc.n);
            for (int n = 0; n < cshape.n; n++)
                for (int c = 0; c < cshape.c; c++)
                    for (int h = 0; h < cshape.h; h++)
                        for (int w = 0; w < cshape.w; w++) {
                            size_t ci = (((size_t)n * cshape.c + c) * cshape.h + h) * cshape.w + w;
                            size_t ai = ((((size_t)(s.n == 1 ? 0 : n)) * s.c + (s.c == 1 ? 0 : c)) * s.h + (s.h == 1 ? 0 : h)) *
                                            s.w + (s.w == 1 ? 0 : w);
                            want[ci] = (double)alpha * a[ai] + (beta == 0 ? 0.0 : (double)beta * c0[ci]);
                        }
            char what[128];
            std::snprintf(what, sizeof what, "addTensor A %dx%dx%dx%d alpha %g beta %g", s.n, s.c, s.h, s.w, alpha, beta);
            compare(what, "[C 2x5x3x4]", bc.get(), want);
            EXPECT(bc.guard_ok(), "%s: wrote past the end of C", what);
        }
        EXPECT_STATUS(DestroyTensor(adsc), SUCCESS);
    }
    // A that does not broadcast
    H bad = tensor(1, 4, 1, 1);
    Buf bb(4);
    float one = 1;
    EXPECT_STATUS(AddTensor(handle, &one, bad, bb.p, &one, cdsc, bc.p), BAD_PARAM);
    EXPECT_STATUS(DestroyTensor(bad), SUCCESS);
    EXPECT_STATUS(DestroyTensor(cdsc), SUCCESS);
}

// ------------------------------------------------------------------ stderr capture
struct Capture {
    int saved = -1;
    FILE* tmp = nullptr;
    Capture() {
        std::fflush(stderr);
        tmp = std::tmpfile();
        saved = dup(2);
        dup2(fileno(tmp), 2);
    }
    std::string end() {
        std::fflush(stderr);
        dup2(saved, 2);
        close(saved);
        std::string s;
        std::rewind(tmp);
        char buf[512];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, tmp)) > 0) s.append(buf, n);
        std::fclose(tmp);
        return s;
    }
};
static bool one_line_with(const std::string& s, const char* a, const char* b) {
    return std::count(s.begin(), s.end(), '\n') == 1 && s.back() == '\n' && s.find(a) != std::string::npos &&
           s.find(b) != std::string::npos;
}

// ------------------------------------------------------------------ error returns
static void errors(H handle) {
    float one = 1, zero = 0;
    const Case c{1, 2, 3, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, CROSS_CORRELATION};
    H xd = tensor(1, 2, 6, 5), yd = tensor(1, 3, 6, 5), wd = filter(3, 2, 3, 3), cd = conv(c, FMA_MATH), bd = tensor(1, 3, 1, 1);
    Buf x(60), w(54), y(90), b(3);
    x.fill(randv(60)), w.fill(randv(54));
    AlgoPerf perf[16];
    int count = 0;
    size_t sz = 0;

    // handles
    EXPECT_STATUS(Create(nullptr), BAD_PARAM);
    EXPECT_STATUS(Destroy(nullptr), BAD_PARAM);
    EXPECT_STATUS(SetStream(nullptr, nullptr), BAD_PARAM);
    EXPECT_STATUS(SetStream(handle, nullptr), SUCCESS);
    EXPECT_STATUS(SetStream(handle, (void*)0x1234), NOT_SUPPORTED);
    EXPECT_STATUS(Forward(nullptr, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    H h2 = nullptr;
    EXPECT_STATUS(Create(&h2), SUCCESS);
    EXPECT(h2 != nullptr && h2 != handle, "cudnnCreate gave %p (the other handle is %p)", h2, handle);
    EXPECT_STATUS(Destroy(h2), SUCCESS);
    EXPECT_STATUS(Destroy(h2), BAD_PARAM);
    EXPECT_STATUS(Forward(h2, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(AddTensor(h2, &one, bd, b.p, &one, yd, y.p), BAD_PARAM);
    int local = 0;
    EXPECT_STATUS(Forward((H)&local, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(xd, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM); // a descriptor as handle

    // descriptors: wrong kind, foreign, never set, destroyed
    EXPECT_STATUS(Forward(handle, &one, wd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, xd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, yd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, (H)&local, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, nullptr, y.p), BAD_PARAM);
    H unset = nullptr, unsetConv = nullptr;
    EXPECT_STATUS(CreateTensor(&unset), SUCCESS);
    EXPECT_STATUS(CreateConv(&unsetConv), SUCCESS);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, unset, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, unsetConv, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(DestroyConv(unsetConv), SUCCESS);
    H gone = tensor(1, 3, 6, 5);
    EXPECT_STATUS(DestroyTensor(gone), SUCCESS);
    EXPECT_STATUS(DestroyTensor(gone), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, gone, y.p), BAD_PARAM);
    EXPECT_STATUS(SetTensor4d(gone, NCHW, DATA_FLOAT, 1, 1, 1, 1), BAD_PARAM);
    H goneF = filter(3, 2, 3, 3);
    EXPECT_STATUS(DestroyFilter(goneF), SUCCESS);
    EXPECT_STATUS(DestroyFilter(goneF), BAD_PARAM);
    EXPECT_STATUS(DestroyTensor(wd), BAD_PARAM); // a filter is not a tensor descriptor
    EXPECT_STATUS(BackwardData(handle, &one, goneF, w.p, yd, y.p, cd, 0, nullptr, 0, &zero, xd, x.p), BAD_PARAM);
    EXPECT_STATUS(DestroyTensor(nullptr), SUCCESS);
    EXPECT_STATUS(DestroyFilter(nullptr), SUCCESS);
    EXPECT_STATUS(DestroyConv(nullptr), SUCCESS);
    EXPECT_STATUS(CreateTensor(nullptr), BAD_PARAM);
    EXPECT_STATUS(CreateFilter(nullptr), BAD_PARAM);
    EXPECT_STATUS(CreateConv(nullptr), BAD_PARAM);

    // setters: bad values BAD_PARAM, known-but-unemulated NOT_SUPPORTED
    EXPECT_STATUS(SetTensor4d(unset, NCHW, DATA_FLOAT, 0, 1, 1, 1), BAD_PARAM);
    EXPECT_STATUS(SetTensor4d(unset, NCHW, DATA_FLOAT, 1, -2, 1, 1), BAD_PARAM);
    EXPECT_STATUS(SetTensor4d(unset, 9, DATA_FLOAT, 1, 1, 1, 1), BAD_PARAM);
    EXPECT_STATUS(SetTensor4d(unset, NCHW, 77, 1, 1, 1, 1), BAD_PARAM);
    EXPECT_STATUS(SetTensor4d(unset, NHWC, DATA_FLOAT, 1, 1, 1, 1), NOT_SUPPORTED);
    EXPECT_STATUS(SetTensor4d(unset, NCHW, DATA_HALF, 1, 1, 1, 1), NOT_SUPPORTED);
    EXPECT_STATUS(SetTensor4d(unset, NCHW, DATA_DOUBLE, 1, 1, 1, 1), NOT_SUPPORTED);
    EXPECT_STATUS(SetTensor4d(nullptr, NCHW, DATA_FLOAT, 1, 1, 1, 1), BAD_PARAM);
    EXPECT_STATUS(SetTensor4d(wd, NCHW, DATA_FLOAT, 1, 1, 1, 1), BAD_PARAM); // a filter
    EXPECT_STATUS(SetFilter4d(unset, DATA_FLOAT, NCHW, 1, 1, 1, 1), BAD_PARAM); // a tensor
    EXPECT_STATUS(SetFilter4d(wd, DATA_FLOAT, 5, 3, 2, 3, 3), BAD_PARAM);
    EXPECT_STATUS(SetFilter4d(wd, DATA_HALF, NCHW, 3, 2, 3, 3), NOT_SUPPORTED);
    EXPECT_STATUS(SetFilter4d(wd, DATA_FLOAT, NHWC, 3, 2, 3, 3), NOT_SUPPORTED);
    EXPECT_STATUS(SetFilter4d(wd, DATA_FLOAT, NCHW, 3, 2, 0, 3), BAD_PARAM);
    EXPECT_STATUS(SetConv2d(cd, -1, 0, 1, 1, 1, 1, CROSS_CORRELATION, DATA_FLOAT), BAD_PARAM);
    EXPECT_STATUS(SetConv2d(cd, 1, 1, 0, 1, 1, 1, CROSS_CORRELATION, DATA_FLOAT), BAD_PARAM);
    EXPECT_STATUS(SetConv2d(cd, 1, 1, 1, 1, 1, 0, CROSS_CORRELATION, DATA_FLOAT), BAD_PARAM);
    EXPECT_STATUS(SetConv2d(cd, 1, 1, 1, 1, 1, 1, 2, DATA_FLOAT), BAD_PARAM);
    EXPECT_STATUS(SetConv2d(cd, 1, 1, 1, 1, 1, 1, CROSS_CORRELATION, 99), BAD_PARAM);
    EXPECT_STATUS(SetConv2d(cd, 1, 1, 1, 1, 1, 1, CROSS_CORRELATION, DATA_DOUBLE), NOT_SUPPORTED);
    EXPECT_STATUS(SetConv2d(nullptr, 1, 1, 1, 1, 1, 1, CROSS_CORRELATION, DATA_FLOAT), BAD_PARAM);
    EXPECT_STATUS(SetConv2d(xd, 1, 1, 1, 1, 1, 1, CROSS_CORRELATION, DATA_FLOAT), BAD_PARAM);
    EXPECT_STATUS(SetConvMath(cd, 4), BAD_PARAM);
    EXPECT_STATUS(SetConvMath(cd, -1), BAD_PARAM);
    EXPECT_STATUS(SetConvMath(nullptr, FMA_MATH), BAD_PARAM);
    EXPECT_STATUS(SetConvMath(cd, FMA_MATH), SUCCESS);

    // shapes: the output the convolution gives, the channels, a filter larger than the padded image
    H yBad = tensor(1, 3, 5, 5), yBadC = tensor(1, 4, 6, 5), xBadC = tensor(1, 3, 6, 5), xTiny = tensor(1, 2, 2, 2);
    H y1 = tensor(1, 3, 1, 1);
    Case c0 = c;
    c0.padH = c0.padW = 0;
    H cd0 = conv(c0, FMA_MATH);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yBad, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yBadC, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xBadC, y.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    {
        Capture cap;
        EXPECT_STATUS(Forward(handle, &one, xTiny, x.p, wd, w.p, cd0, 0, nullptr, 0, &zero, y1, y.p), BAD_PARAM); // 3x3 > 2x2
        std::string s = cap.end();
        EXPECT(one_line_with(s, "cudnnConvolutionForward", "larger"), "filter-size message: \"%s\"", s.c_str());
    }
    EXPECT_STATUS(Forward(handle, &one, xTiny, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, y1, y.p), BAD_PARAM); // pad 1 gives 2x2
    EXPECT_STATUS(DestroyTensor(y1), SUCCESS);
    EXPECT_STATUS(DestroyConv(cd0), SUCCESS);
    EXPECT_STATUS(FwdAlgo(handle, xd, wd, cd, yBad, 16, &count, perf), BAD_PARAM);
    EXPECT_STATUS(FwdWs(handle, xd, wd, cd, yBad, 0, &sz), BAD_PARAM);
    EXPECT_STATUS(DataAlgo(handle, wd, yd, cd, yBad, 16, &count, perf), BAD_PARAM); // dx of the wrong shape
    EXPECT_STATUS(DataWs(handle, wd, yBadC, cd, xd, 0, &sz), BAD_PARAM);
    EXPECT_STATUS(FilterAlgo(handle, xd, yBad, cd, wd, 16, &count, perf), BAD_PARAM);
    EXPECT_STATUS(FilterWs(handle, xBadC, yd, cd, wd, 0, &sz), BAD_PARAM);
    EXPECT_STATUS(BackwardFilter(handle, &one, xd, x.p, yBad, y.p, cd, 0, nullptr, 0, &zero, wd, w.p), BAD_PARAM);
    EXPECT_STATUS(BackwardBias(handle, &one, yd, y.p, &zero, yBadC, b.p), BAD_PARAM);
    EXPECT_STATUS(BackwardBias(handle, &one, yd, y.p, &zero, xd, b.p), BAD_PARAM);
    H b4 = tensor(1, 4, 1, 1);
    EXPECT_STATUS(BackwardBias(handle, &one, yd, y.p, &zero, b4, b.p), BAD_PARAM);
    EXPECT_STATUS(DestroyTensor(b4), SUCCESS);

    // heuristics and workspace queries: bad arguments
    EXPECT_STATUS(FwdAlgo(handle, xd, wd, cd, yd, 0, &count, perf), BAD_PARAM);
    EXPECT_STATUS(FwdAlgo(handle, xd, wd, cd, yd, 16, nullptr, perf), BAD_PARAM);
    EXPECT_STATUS(FwdAlgo(handle, xd, wd, cd, yd, 16, &count, nullptr), BAD_PARAM);
    EXPECT_STATUS(FwdAlgo(handle, xd, wd, cd, yd, 1, &count, perf), SUCCESS);
    EXPECT(count == 1, "requestedAlgoCount 1 gave %d results", count);
    EXPECT_STATUS(FwdWs(handle, xd, wd, cd, yd, 0, nullptr), BAD_PARAM);
    EXPECT_STATUS(FwdWs(handle, xd, wd, cd, yd, 8, &sz), BAD_PARAM);
    EXPECT_STATUS(FwdWs(handle, xd, wd, cd, yd, -1, &sz), BAD_PARAM);
    EXPECT_STATUS(FwdWs(handle, xd, wd, cd, yd, 4, &sz), NOT_SUPPORTED); // FFT
    EXPECT_STATUS(DataWs(handle, wd, yd, cd, xd, 6, &sz), BAD_PARAM);
    EXPECT_STATUS(FilterWs(handle, xd, yd, cd, wd, 7, &sz), BAD_PARAM);

    // runs: algorithms, workspaces, scalars, data pointers
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 99, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 6, nullptr, 0, &zero, yd, y.p), NOT_SUPPORTED); // WINOGRAD
    EXPECT_STATUS(BackwardData(handle, &one, wd, w.p, yd, y.p, cd, 2, nullptr, 0, &zero, xd, x.p), NOT_SUPPORTED);
    EXPECT_STATUS(BackwardFilter(handle, &one, xd, x.p, yd, y.p, cd, 5, nullptr, 0, &zero, wd, w.p), NOT_SUPPORTED);
    EXPECT_STATUS(FwdWs(handle, xd, wd, cd, yd, 1, &sz), SUCCESS);
    EXPECT(sz > 0, "forward algo 1 asks for no workspace (the test of short workspaces needs one)");
    {
        Ws ws(sz);
        EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 1, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
        EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 1, ws.p, sz - 1, &zero, yd, y.p), BAD_PARAM);
        EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 1, ws.p, sz, &zero, yd, y.p), SUCCESS);
        EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), SUCCESS);
    }
    EXPECT_STATUS(Forward(handle, nullptr, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, nullptr, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, nullptr, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, nullptr), BAD_PARAM);
    EXPECT_STATUS(AddTensor(handle, &one, bd, nullptr, &one, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(AddTensor(handle, &one, bd, b.p, &one, unset, y.p), BAD_PARAM);

    // messages: one line naming the function and the argument (or the reason)
    {
        Capture cap;
        Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yBad, y.p);
        std::string s = cap.end();
        EXPECT(one_line_with(s, "cudnnConvolutionForward", "yDesc"), "shape message: \"%s\"", s.c_str());
    }
    {
        Capture cap;
        int st = Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p);
        std::string s = cap.end();
        EXPECT(st == SUCCESS && s.empty(), "a successful call printed \"%s\" (status %d)", s.c_str(), st);
    }

#if GM_SELFTEST_HOOK
    // device ranges: a host buffer, a tensor running past its allocation, a workspace outside
    long before = g_hookCalls;
    std::vector<float> host(200, 0.0f), hostCopy = host;
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), SUCCESS);
    EXPECT(g_hookCalls > before, "the library never asked gm_emu_device_range_ok");
    {
        Capture cap;
        EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, host.data()), BAD_PARAM);
        std::string s = cap.end();
        EXPECT(one_line_with(s, "cudnnConvolutionForward", " y "), "range message: \"%s\"", s.c_str());
        EXPECT(same_bits(host, hostCopy), "cudnnConvolutionForward wrote into a refused y");
    }
    EXPECT_STATUS(Forward(handle, &one, xd, x.p + 1, wd, w.p, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p + 1, cd, 0, nullptr, 0, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 1, host.data(), 800, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, host.data(), 800, &zero, yd, y.p), BAD_PARAM);
    EXPECT_STATUS(BackwardData(handle, &one, wd, w.p, yd, y.p, cd, 0, nullptr, 0, &zero, xd, host.data()), BAD_PARAM);
    EXPECT_STATUS(BackwardData(handle, &one, wd, w.p, yd, host.data(), cd, 0, nullptr, 0, &zero, xd, x.p), BAD_PARAM);
    EXPECT_STATUS(BackwardFilter(handle, &one, xd, x.p, yd, y.p, cd, 0, nullptr, 0, &zero, wd, host.data()), BAD_PARAM);
    EXPECT_STATUS(BackwardFilter(handle, &one, xd, host.data(), yd, y.p, cd, 0, nullptr, 0, &zero, wd, w.p), BAD_PARAM);
    EXPECT_STATUS(BackwardBias(handle, &one, yd, y.p, &zero, bd, host.data()), BAD_PARAM);
    EXPECT_STATUS(BackwardBias(handle, &one, yd, y.p + 1, &zero, bd, b.p), BAD_PARAM);
    {
        Capture cap;
        EXPECT_STATUS(AddTensor(handle, &one, bd, host.data(), &one, yd, y.p), BAD_PARAM);
        std::string s = cap.end();
        EXPECT(one_line_with(s, "cudnnAddTensor", " A "), "range message: \"%s\"", s.c_str());
    }
    EXPECT_STATUS(AddTensor(handle, &one, bd, b.p, &one, yd, y.p + 1), BAD_PARAM);
    EXPECT(same_bits(host, hostCopy), "a refused call wrote into host memory");
#else
    // no gm_emu_device_range_ok here: plain host memory must be accepted
    std::vector<float> hy(90, std::numeric_limits<float>::quiet_NaN());
    EXPECT_STATUS(Forward(handle, &one, xd, x.p, wd, w.p, cd, 0, nullptr, 0, &zero, yd, hy.data()), SUCCESS);
    EXPECT(std::all_of(hy.begin(), hy.end(), [](float v) { return std::isfinite(v); }), "forward into host memory left NaN");
#endif

    for (H d : {xd, yd, bd, unset, yBad, yBadC, xBadC, xTiny}) EXPECT_STATUS(DestroyTensor(d), SUCCESS);
    EXPECT_STATUS(DestroyFilter(wd), SUCCESS);
    EXPECT_STATUS(DestroyConv(cd), SUCCESS);
}

// ------------------------------------------------------------------ main
template <class F> static void sym(void* lib, F& f, const char* name) {
    f = (F)dlsym(lib, name);
    if (f == nullptr) {
        std::printf("FAIL: the library does not export %s\n", name);
        std::exit(1);
    }
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s LIBCUDNN_PATH\n", argv[0]);
        return 2;
    }
    setenv("GEOMEND_CUDNN_EMULATOR_THREADS", "3", 1); // uneven chunks on the large cases
    void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        std::printf("FAIL: dlopen %s: %s\n", argv[1], dlerror());
        return 1;
    }
    sym(lib, GetVersion, "cudnnGetVersion");
    sym(lib, GetErrorString, "cudnnGetErrorString");
    sym(lib, Create, "cudnnCreate");
    sym(lib, Destroy, "cudnnDestroy");
    sym(lib, SetStream, "cudnnSetStream");
    sym(lib, CreateTensor, "cudnnCreateTensorDescriptor");
    sym(lib, SetTensor4d, "cudnnSetTensor4dDescriptor");
    sym(lib, DestroyTensor, "cudnnDestroyTensorDescriptor");
    sym(lib, CreateFilter, "cudnnCreateFilterDescriptor");
    sym(lib, SetFilter4d, "cudnnSetFilter4dDescriptor");
    sym(lib, DestroyFilter, "cudnnDestroyFilterDescriptor");
    sym(lib, CreateConv, "cudnnCreateConvolutionDescriptor");
    sym(lib, SetConv2d, "cudnnSetConvolution2dDescriptor");
    sym(lib, SetConvMath, "cudnnSetConvolutionMathType");
    sym(lib, DestroyConv, "cudnnDestroyConvolutionDescriptor");
    sym(lib, FwdAlgo, "cudnnGetConvolutionForwardAlgorithm_v7");
    sym(lib, FwdWs, "cudnnGetConvolutionForwardWorkspaceSize");
    sym(lib, Forward, "cudnnConvolutionForward");
    sym(lib, AddTensor, "cudnnAddTensor");
    sym(lib, DataAlgo, "cudnnGetConvolutionBackwardDataAlgorithm_v7");
    sym(lib, DataWs, "cudnnGetConvolutionBackwardDataWorkspaceSize");
    sym(lib, BackwardData, "cudnnConvolutionBackwardData");
    sym(lib, FilterAlgo, "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
    sym(lib, FilterWs, "cudnnGetConvolutionBackwardFilterWorkspaceSize");
    sym(lib, BackwardFilter, "cudnnConvolutionBackwardFilter");
    sym(lib, BackwardBias, "cudnnConvolutionBackwardBias");

    size_t v = GetVersion();
    EXPECT(v >= 90000 && v < 100000, "cudnnGetVersion %zu is not 9.x", v);
    const struct { int s; const char* name; } names[] = {
        {0, "CUDNN_STATUS_SUCCESS"}, {1001, "CUDNN_STATUS_NOT_INITIALIZED"}, {2000, "CUDNN_STATUS_BAD_PARAM"},
        {2002, "CUDNN_STATUS_BAD_PARAM_NULL_POINTER"}, {3000, "CUDNN_STATUS_NOT_SUPPORTED"},
        {4000, "CUDNN_STATUS_INTERNAL_ERROR"}, {5000, "CUDNN_STATUS_EXECUTION_FAILED"}};
    for (const auto& n : names) {
        const char* s = GetErrorString(n.s);
        EXPECT(s != nullptr && std::strcmp(s, n.name) == 0, "cudnnGetErrorString(%d) = %s, expected %s", n.s, s ? s : "NULL", n.name);
    }
    EXPECT(GetErrorString(123456) != nullptr, "cudnnGetErrorString of an unknown status is NULL");

    H handle = nullptr;
    EXPECT_STATUS(Create(&handle), SUCCESS);
    if (handle == nullptr) {
        std::printf("FAIL: no handle\n");
        return 1;
    }
    EXPECT_STATUS(SetStream(handle, nullptr), SUCCESS);

    // N, C, K, H, W, R, S, padH, padW, u, v, dilH, dilW, mode
    const Case cases[] = {
        {2, 3, 5, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, CROSS_CORRELATION},  // the project's shape: pad K/2, stride 1
        {1, 2, 3, 3, 3, 7, 7, 3, 3, 1, 1, 1, 1, CROSS_CORRELATION},  // kernel larger than the image
        {2, 4, 1, 9, 7, 1, 1, 0, 0, 1, 1, 1, 1, CROSS_CORRELATION},  // the 1 x 1 head
        {2, 3, 4, 9, 8, 3, 3, 1, 1, 2, 2, 1, 1, CROSS_CORRELATION},  // stride 2
        {1, 3, 2, 10, 11, 3, 2, 2, 1, 1, 1, 2, 3, CROSS_CORRELATION}, // dilation, a rectangular filter
        {2, 2, 3, 8, 7, 3, 3, 1, 1, 1, 1, 1, 1, CONVOLUTION},        // true convolution (mirrored filter)
        {1, 3, 2, 11, 9, 4, 3, 2, 0, 3, 2, 2, 1, CONVOLUTION},       // all of it, odd leftovers, even filter
        {1, 2, 2, 6, 6, 2, 2, 0, 0, 2, 2, 1, 1, CROSS_CORRELATION},  // stride = filter, no padding
        {2, 1, 1, 5, 4, 5, 4, 0, 0, 1, 1, 1, 1, CONVOLUTION},        // a 1 x 1 output
        {2, 17, 19, 23, 29, 3, 3, 1, 1, 1, 1, 1, 1, CROSS_CORRELATION}, // large enough for the threaded path
        {3, 8, 12, 31, 17, 5, 5, 4, 2, 2, 1, 2, 1, CONVOLUTION},    // threaded, everything at once
    };
    for (const Case& c : cases) run_case(handle, c);
    add_tensor(handle);
    errors(handle);
    EXPECT_STATUS(Destroy(handle), SUCCESS);
    EXPECT_STATUS(Destroy(handle), BAD_PARAM);

    std::printf("cudnn_emu_selftest (%s range hook): %d checks, %d failures\n",
                GM_SELFTEST_HOOK ? "with the" : "without a", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
