/// xoshiro256**, Blackman and Vigna's all-purpose 64-bit generator (period 2^256 - 1).
///
/// This is corgi's only source of randomness: block orders, tuple-buffer shuffles and
/// any sampling draw from it, never from the C library's `rand`.
///
/// Contract:
/// - Deterministic: the same seed gives the same sequence on every platform and
///   Swift version (wrapping integer arithmetic only; ``next(below:)`` is our own
///   algorithm, not the standard library's `random(in:using:)`, whose algorithm
///   Swift does not promise to keep).
/// - Never traps, for any seed or bound.
/// - Not cryptographically secure.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator from a 64-bit seed, expanding it with ``SplitMix64``.
    /// Every seed, 0 included, gives a valid (non-zero) state.
    public init(seed: UInt64) {
        var expander = SplitMix64(seed: seed)
        self.init(state: (expander.next(), expander.next(), expander.next(), expander.next()))
    }

    /// Creates a generator from a raw 256-bit state (for reference vectors).
    /// An all-zero state is a fixed point of the generator; use ``init(seed:)`` instead.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// Returns the next 64 uniformly distributed bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// Returns a uniformly distributed integer in `0..<bound` with no modulo bias
    /// (Lemire's multiply-and-reject method, "Fast Random Integer Generation in an
    /// Interval", 2019). Returns 0 when `bound` is 0.
    public mutating func next(below bound: UInt64) -> UInt64 {
        guard bound > 0 else { return 0 }
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// Returns a double uniformly distributed in `[0, 1)` with 53 random bits.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 &- k))
    }
}
