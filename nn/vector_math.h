// Element-wise exp for several doubles at a time, without a division: what tanh, sigmoid, elu and
// the cross-entropy of a sigmoid output are made of. Internal to nn/.
//
// Written out because Eigen's exp for doubles divides (a rational approximation), and tanh or
// sigmoid through it divide again: these take one division or none, a division taking several
// times as long as a multiply-add, and tanh and sigmoid are a large share of a tanh or sigmoid
// network's training (figures in bench/README.md).
// Every function is generic in the vector (4 doubles for AVX, 8 for AVX-512) and does the same
// operations on each element whatever the width, so results do not depend on it.
#pragma once

#include <cstdint>
#include <type_traits>

// Eight-wide code (AVX-512, chosen at run time) exists only in x86-64 builds with FMA: both
// widths then fuse the same multiplies and adds, so they give the same bits.
#if defined(__x86_64__) && defined(__FMA__) && (defined(__GNUC__) || defined(__clang__))
#define NNSWEEP_SIMD_WIDE 1
#else
#define NNSWEEP_SIMD_WIDE 0
#endif

namespace nn::simd {

// Whether the eight-wide functions run here: built in and the CPU has AVX-512.
inline bool has_avx512() {
#if NNSWEEP_SIMD_WIDE
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

// The vector widths of nn/'s code, in doubles: 4 everywhere, 8 where the eight-wide functions
// run. widest() is what every pass uses unless told otherwise.
inline bool runs_width(int width) {
  return width == 4 || (width == 8 && has_avx512());
}
inline int widest() {
  return has_avx512() ? 8 : 4;
}

// GCC/Clang vectors of doubles, aligned to a double (any consecutive doubles are one).
using Vec4 = double __attribute__((vector_size(4 * sizeof(double)), aligned(8)));
using Vec8 = double __attribute__((vector_size(8 * sizeof(double)), aligned(8)));
// The same register bytes of floats (train.precision float32): twice the numbers.
using Vec8f = float __attribute__((vector_size(8 * sizeof(float)), aligned(4)));
using Vec16f = float __attribute__((vector_size(16 * sizeof(float)), aligned(4)));

// The vectors of a scalar type: Narrow fills an AVX register, Wide an AVX-512 one.
template <typename T>
struct Vectors;
template <>
struct Vectors<double> {
  using Narrow = Vec4;
  using Wide = Vec8;
};
template <>
struct Vectors<float> {
  using Narrow = Vec8f;
  using Wide = Vec16f;
};

// The number type of a vector, and which functions below it takes.
template <typename V>
using ElementOf = std::remove_cvref_t<decltype(V{}[0])>;
template <typename V>
concept Doubles = std::is_same_v < ElementOf<V>,
double > ;
template <typename V>
concept Floats = std::is_same_v < ElementOf<V>,
float > ;

// ln2 in two parts (Cody and Waite): the first has 32 significant bits, so any whole multiple
// k of it up to 2^21 is exact; the second is the rest of ln2.
inline constexpr double kLn2Hi = 0x1.62e42feep-1, kLn2Lo = 0x1.a39ef35793c76p-33;

// The integer vector of V's width (what comparing two V gives).
template <typename V>
using BitsOf = decltype(V{} < V{});

// y = k ln2 + r with k whole and |r| <= ln2/2, for |y| <= 1000 (the callers clamp y; NaN
// passes through): on return y holds e^r - 1 and scale holds 2^k, so e^y = scale * (y + 1)
// and e^y - 1 = scale * y + (scale - 1), both exact to a few units in the last place.
template <typename V>
requires Doubles<V>
[[gnu::always_inline]] inline void reduce_expm1(V& y, V& scale) {
  using Bits = BitsOf<V>;
  // Adding 1.5 * 2^52 rounds y / ln2 to a whole number, held in the low bits of `shifted`.
  constexpr double kShift = 0x1.8p52;
  const V shifted = y * 0x1.71547652b82fep0 + kShift;  // y / ln2 + shift
  const V k = shifted - kShift;
  // k times ln2's first part is exact and so is y minus that: r to full precision, with or
  // without fused multiply-adds.
  V r = y - k * kLn2Hi;
  r = r - k * kLn2Lo;
  // e^r - 1 = r + r^2 (c2 + c3 r + ... + c11 r^9), a polynomial fitted to e^r - 1 on
  // |r| <= ln2/2 (scripts/fit_expm1.py: a Chebyshev fit, near the best of its degree) whose
  // error is below 4.1e-17 of the result: the Taylor series needs two terms more for as much.
  // Summed in Estrin's order (pairs of terms, then pairs of pairs): a shorter chain of
  // dependent steps than Horner's, so the core overlaps more of them.
  constexpr double c2 = 0x1.0000000000001p-1, c3 = 0x1.5555555555556p-3, c4 = 0x1.5555555553d68p-5,
                   c5 = 0x1.11111111109b5p-7, c6 = 0x1.6c16c17889f40p-10,
                   c7 = 0x1.a01a01a7c2f2ep-13, c8 = 0x1.a019b9148739fp-16,
                   c9 = 0x1.71de0db2eafc6p-19, c10 = 0x1.28917ca046b86p-22,
                   c11 = 0x1.af389eeb9e5e9p-26;
  const V r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const V p0 = (r * c3 + c2) + (r * c5 + c4) * r2;
  const V p4 = (r * c7 + c6) + (r * c9 + c8) * r2;
  const V p8 = r * c11 + c10;
  y = r2 * (p0 + p4 * r4 + p8 * r8) + r;
  // 2^k from its bits: the low bits of `shifted` are k, so k + 1023 shifted into the exponent.
  scale = reinterpret_cast<V>((reinterpret_cast<Bits>(shifted) + 1023) << 52);
}

// e^y for y clamped to [-700, 700] (e^-700 = 1e-304 below, 1e304 above); NaN stays NaN.
template <typename V>
requires Doubles<V>
[[gnu::always_inline]] inline void exp_in_place(V& y) {
  y = y > 700.0 ? (V{} + 700.0) : y;
  y = y < -700.0 ? (V{} + -700.0) : y;
  V scale;
  reduce_expm1(y, scale);
  y = scale * y + scale;
}

// log(1 + x) for x in [0, 1] (what the binary cross-entropy needs, with x = e^-|z|); NaN stays
// NaN. Within 2 units in the last place of libm's log1p. Written out, not Eigen's log, to run at
// the width of the rest (Eigen's vectors are fixed when it is compiled) and to keep x's low bits
// (log of a rounded 1 + x loses them).
template <typename V>
requires Doubles<V>
[[gnu::always_inline]] inline void log1p_unit(V& x) {
  // 1 + x = 2^k (1 + f) with k = 0, f = x, or above sqrt(2) - 1, k = 1 and f = (x - 1) / 2
  // (exact): |f| <= sqrt(2) - 1 either way.
  const auto above = x > 0x1.a827999fcef34p-2;
  const V f = above ? (x - 1.0) * 0.5 : x;
  const V k = above ? (V{} + 1.0) : V{};
  // log(1 + f) = 2 atanh(s) with s = f / (2 + f), |s| <= 0.172: 2 s (1 + s^2/3 + s^4/5 + ...),
  // whose next term after s^20/21 is below 1e-17 of the sum. In Estrin's order, as in exp.
  const V s = f / (f + 2.0);
  const V u = s * s, u2 = u * u, u4 = u2 * u2, u8 = u4 * u4;
  const V q0 = (u * (1.0 / 5) + 1.0 / 3) + (u * (1.0 / 9) + 1.0 / 7) * u2;
  const V q4 = (u * (1.0 / 13) + 1.0 / 11) + (u * (1.0 / 17) + 1.0 / 15) * u2;
  const V q8 = u * (1.0 / 21) + 1.0 / 19;
  const V two_s = s + s;
  // k ln2 in its two parts around the series.
  x = k * kLn2Hi + (k * kLn2Lo + (two_s * u) * (q0 + q4 * u4 + q8 * u8)) + two_s;
}

// The float versions of the three functions above: the same steps, with constants and
// polynomials as long as a float's 24 bits need (the doubles' would only cost time).

// ln2 in two parts for floats: 17 significant bits, so k times the first is exact for |k| <= 128.
inline constexpr float kLn2HiF = 0x1.62e4p-1f, kLn2LoF = 0x1.7f7d1cp-20f;

// As reduce_expm1 for doubles, for |y| <= 88 (the callers clamp y).
template <typename V>
requires Floats<V>
[[gnu::always_inline]] inline void reduce_expm1(V& y, V& scale) {
  using Bits = BitsOf<V>;
  // Adding 1.5 * 2^23 rounds y / ln2 to a whole number, held in the low bits of `shifted`.
  constexpr float kShift = 0x1.8p23f;
  const V shifted = y * 0x1.715476p0f + kShift;  // y / ln2 + shift
  const V k = shifted - kShift;
  V r = y - k * kLn2HiF;
  r = r - k * kLn2LoF;
  // e^r - 1 = r + r^2 (c2 + c3 r + ... + c6 r^4) on |r| <= ln2/2, within 2.4e-8 of the result
  // (scripts/fit_expm1.py --float), in Estrin's order.
  constexpr float c2 = 0x1p-1f, c3 = 0x1.5554dep-3f, c4 = 0x1.55551ap-5f, c5 = 0x1.120b62p-7f,
                  c6 = 0x1.6d10fcp-10f;
  const V r2 = r * r, r4 = r2 * r2;
  y = r2 * ((r * c3 + c2) + (r * c5 + c4) * r2 + r4 * c6) + r;
  // 2^k from its bits: k + 127 shifted into a float's exponent.
  scale = reinterpret_cast<V>((reinterpret_cast<Bits>(shifted) + 127) << 23);
}

// e^y for y clamped to [-87, 87] (e^-87 = 1.6e-38, a float's smallest normal numbers).
template <typename V>
requires Floats<V>
[[gnu::always_inline]] inline void exp_in_place(V& y) {
  y = y > 87.0f ? (V{} + 87.0f) : y;
  y = y < -87.0f ? (V{} + -87.0f) : y;
  V scale;
  reduce_expm1(y, scale);
  y = scale * y + scale;
}

// log(1 + x) for x in [0, 1], as log1p_unit for doubles: the series to s^9/9, whose next term
// is below 3e-9 of the sum.
template <typename V>
requires Floats<V>
[[gnu::always_inline]] inline void log1p_unit(V& x) {
  const auto above = x > 0x1.a8279ap-2f;
  const V f = above ? (x - 1.0f) * 0.5f : x;
  const V k = above ? (V{} + 1.0f) : V{};
  const V s = f / (f + 2.0f);
  const V u = s * s, u2 = u * u;
  const V q = (u * (1.0f / 5) + 1.0f / 3) + (u * (1.0f / 9) + 1.0f / 7) * u2;
  const V two_s = s + s;
  x = k * kLn2HiF + (k * kLn2LoF + (two_s * u) * q) + two_s;
}

}  // namespace nn::simd
