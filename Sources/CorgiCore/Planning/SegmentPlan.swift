/// The segments of one epoch of model hopping on one server: the table's blocks (of
/// `block_pages` consecutive pages, as CorgiPile cuts them) drawn into S segments by a
/// seeded permutation dealt round-robin, so every segment is a random sample of the
/// table's blocks (contiguous page ranges of a label-sorted table would hand a model all
/// of one class, then all of the other). Inside a segment a model visits the blocks in a
/// seeded order of its own.
///
/// Contract: a pure function of (block count, S, seed, epoch); every block is in exactly
/// one segment; segment sizes differ by at most one block; never traps.
public struct SegmentPlan: Equatable, Sendable {
    public let blockCount: Int
    public let segmentCount: Int
    /// `segmentBlocks[s]`: the block indices of segment s, ascending.
    public let segmentBlocks: [[Int]]

    /// At most 2^18 blocks (a 2.5 TB table at CorgiPile's 10 MB blocks): drawing the plan
    /// stays a call of tens of milliseconds (measured: 2^22 blocks took 0.96 s, 2^24 4.6 s,
    /// with no interrupt check possible inside a Swift call), and its arrays a few MB.
    public static let maximumBlocks = 1 << 18

    /// Epoch `epoch`'s segments; nil for a shape out of range. With fewer blocks than
    /// segments, the extra segments are empty.
    public init?(blockCount: Int, segments: Int, seed: Int64, epoch: Int) {
        guard blockCount >= 0, blockCount <= SegmentPlan.maximumBlocks, segments >= 1,
            segments <= ModelHopSchedule.maximumSegments
        else { return nil }
        var generator = Xoshiro256StarStar(seed: SeedDerivation.segmentSeed(runSeed: seed, epoch: epoch))
        let drawn = ModelHopSchedule.permutation(blockCount, &generator)
        var parts = [[Int]](repeating: [], count: segments)
        for (i, block) in drawn.enumerated() { parts[i % segments].append(block) }
        self.blockCount = blockCount
        self.segmentCount = segments
        self.segmentBlocks = parts.map { $0.sorted() }
    }

    /// The order in which a model of run seed `modelSeed` visits segment `segment`'s
    /// blocks in epoch `epoch` (a seeded permutation; empty for a segment out of range).
    public func blockOrder(segment: Int, modelSeed: Int64, epoch: Int) -> [Int] {
        guard segment >= 0, segment < segmentCount else { return [] }
        var blocks = segmentBlocks[segment]
        blocks.withUnsafeMutableBufferPointer {
            SegmentPlan.shuffleBlocks($0, segment: segment, modelSeed: modelSeed, epoch: epoch)
        }
        return blocks
    }

    /// Puts a segment's blocks (ascending) into the visiting order of a model of run seed
    /// `modelSeed` in epoch `epoch`, in place: the one definition of that order, used by
    /// ``blockOrder(segment:modelSeed:epoch:)`` and by the glue on shared memory.
    public static func shuffleBlocks<T>(_ blocks: UnsafeMutableBufferPointer<T>, segment: Int, modelSeed: Int64,
                                        epoch: Int) {
        var generator = Xoshiro256StarStar(seed: SeedDerivation.segmentBlockSeed(runSeed: modelSeed, epoch: epoch,
                                                                                   segment: segment))
        generator.shuffle(blocks)
    }
}
