/// SplitMix64, Steele, Lea and Flood's 64-bit mixing generator.
///
/// corgi uses it only to expand one 64-bit seed into the 256-bit state of
/// ``Xoshiro256StarStar`` and to derive sub-seeds (per epoch, per segment), as the
/// xoshiro authors recommend.
///
/// Contract: pure integer arithmetic with wrapping operators, so the sequence for a
/// given seed is identical on every platform, compiler and Swift version. Never traps.
public struct SplitMix64: Sendable {
    /// The generator's whole state: a counter advanced by the golden-ratio increment.
    public private(set) var state: UInt64

    /// Creates a generator whose first output is `mix(seed &+ 0x9E3779B97F4A7C15)`.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// Returns the next 64 bits of the sequence.
    public mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective avalanche of 64 bits.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
