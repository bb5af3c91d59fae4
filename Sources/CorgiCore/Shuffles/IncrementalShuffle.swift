/// A uniformly random permutation of `0..<count`, produced one element at a time.
///
/// This is the forward Fisher-Yates shuffle: step `i` swaps slot `i` with a slot drawn
/// uniformly from `i..<count` and yields slot `i`. Stopping after `k` steps costs
/// `O(k)` draws, so a scan can start on its first block without shuffling the rest.
///
/// Contract:
/// - Every permutation is equally likely (given an ideal generator).
/// - Deterministic under a seed: the order for `(count, seed)` is fixed forever; the
///   test vectors in `IncrementalShuffleTests` pin it, together with
///   `scripts/reference_prng.py`, an independent implementation.
/// - Memory: 4 bytes per element, allocated at creation. ``init(count:seed:)`` refuses
///   counts above ``maximumCount`` instead of trapping on allocation failure.
/// - Never traps.
public struct IncrementalShuffle: Sendable {
    /// The largest count accepted: 2^26 elements (256 MiB of slots), which bounds both
    /// the allocation and the time to set it up (tens of milliseconds).
    public static let maximumCount: Int = 1 << 26

    private var slots: [UInt32]
    private var position: Int
    private var generator: Xoshiro256StarStar

    /// The number of elements in the permutation.
    public var count: Int { slots.count }

    /// How many elements ``next()`` has yielded so far.
    public var yielded: Int { position }

    /// Creates the permutation of `0..<count` determined by `seed`, or returns nil when
    /// `count` is negative or above ``maximumCount``.
    public init?(count: Int, seed: UInt64) {
        guard count >= 0, count <= IncrementalShuffle.maximumCount else { return nil }
        self.slots = (0..<count).map { UInt32(truncatingIfNeeded: $0) }
        self.position = 0
        self.generator = Xoshiro256StarStar(seed: seed)
    }

    /// Returns the next element of the permutation, or nil after `count` elements.
    public mutating func next() -> UInt32? {
        let remaining = slots.count - position
        guard remaining > 0 else { return nil }
        let offset = Int(truncatingIfNeeded: generator.next(below: UInt64(remaining)))
        slots.swapAt(position, position + offset)
        let element = slots[position]
        position += 1
        return element
    }
}
