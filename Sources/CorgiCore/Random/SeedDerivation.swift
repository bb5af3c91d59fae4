/// Sub-seeds of a training run, all derived from the run's one `seed` parameter so a
/// run is reproducible, and each epoch and each buffer gets an independent stream.
///
/// Contract: pure functions of their arguments (SplitMix64 mixing); fixed forever,
/// since stored models and the tests depend on them.
public enum SeedDerivation {
    /// The seed of epoch `epoch`'s block order, as the float8 that
    /// `TABLESAMPLE corgi_block_shuffle(...) REPEATABLE (seed)` takes: a whole number
    /// below 2^53, so float8 holds it exactly and both the fast path and the composed
    /// SQL path hash the same value.
    public static func blockOrderSeed(runSeed: Int64, epoch: Int) -> Double {
        let mixed = SplitMix64.mix(UInt64(bitPattern: runSeed) ^ SplitMix64.mix(UInt64(truncatingIfNeeded: epoch) &+ 1))
        return Double(mixed >> 11)
    }

    /// The seed of the Fisher-Yates shuffle of buffer number `buffer` (0-based,
    /// counted within the epoch) in epoch `epoch`.
    public static func bufferSeed(runSeed: Int64, epoch: Int, buffer: Int) -> UInt64 {
        var generator = SplitMix64(seed: UInt64(bitPattern: runSeed) ^ 0x5BD1_E995_C0DE_C0DE)
        let e = generator.next() ^ UInt64(truncatingIfNeeded: epoch)
        return SplitMix64.mix(SplitMix64.mix(e) ^ UInt64(truncatingIfNeeded: buffer))
    }

    /// The seed of epoch `epoch`'s model-hopping schedule (``ModelHopSchedule``).
    public static func scheduleSeed(runSeed: Int64, epoch: Int) -> UInt64 {
        SplitMix64.mix(UInt64(bitPattern: runSeed) ^ 0x4D4F_505F_5343_4844
                       ^ SplitMix64.mix(UInt64(truncatingIfNeeded: epoch) &+ 1))
    }

    /// The seed of epoch `epoch`'s draw of blocks into segments (``SegmentPlan``).
    public static func segmentSeed(runSeed: Int64, epoch: Int) -> UInt64 {
        SplitMix64.mix(UInt64(bitPattern: runSeed) ^ 0x5345_474D_454E_5453
                       ^ SplitMix64.mix(UInt64(truncatingIfNeeded: epoch) &+ 1))
    }

    /// The seed of the block order inside segment `segment` of epoch `epoch` for a model
    /// of run seed `runSeed`: which participant runs the visit never matters.
    public static func segmentBlockSeed(runSeed: Int64, epoch: Int, segment: Int) -> UInt64 {
        SplitMix64.mix(segmentSeed(runSeed: runSeed, epoch: epoch) ^ SplitMix64.mix(UInt64(truncatingIfNeeded: segment) &+ 0x9E37))
    }
}
