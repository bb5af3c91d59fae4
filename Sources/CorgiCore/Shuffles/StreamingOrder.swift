/// The two streaming baselines of the CorgiPile study, as pure decisions about which
/// row to train when a row arrives. ``SGDTrainer`` applies the decisions to row data;
/// the tests check their ordering properties on row indices.
///
/// - **Sliding window** (TensorFlow's `shuffle(buffer_size)`): fill a window of
///   `capacity` rows; then for every arriving row, train a uniformly chosen window row
///   and put the arriving row in its place. At the end of the pass the caller trains
///   the remaining window in random order. Every row is trained exactly once per pass;
///   a row is trained at most `capacity` positions before it would be in arrival order.
/// - **MRS**, multiplexed reservoir sampling (Bismarck), corgi's single-threaded
///   variant: the pass keeps a uniform reservoir sample of `capacity` rows (Vitter's
///   algorithm R) and trains every row the reservoir does not keep: the arriving row
///   when it is not sampled, or the row it evicts. After each such step, with
///   probability `memoryProbability` (corgi uses `buffer_fraction`), one more step
///   trains a uniformly chosen reservoir row, which stays (the "memory loop"). At the
///   end of the pass the reservoir is dropped, not trained: as in Bismarck, the pass
///   ends on the stream of dropped rows, and reservoir rows reach SGD only through
///   memory steps. Bismarck's original loops over the *previous* epoch's reservoir in a
///   second thread; corgi multiplexes the current one, so no rows are carried between
///   calls.
///
/// Contract: deterministic under the seed; never traps.
public struct StreamingOrder: Sendable {
    public enum Kind: Sendable, Equatable {
        case slidingWindow
        case reservoir(memoryProbability: Double)
    }

    /// What to do when a row arrives, in this order: train `evictSlot`'s row, store the
    /// arriving row in `storeSlot`, train the arriving row if `trainArriving`, then
    /// train `memorySlot`'s row.
    public struct Step: Equatable, Sendable {
        public var evictSlot: Int?
        public var storeSlot: Int?
        public var trainArriving = false
        public var memorySlot: Int?
    }

    public let kind: Kind
    public let capacity: Int
    private var generator: Xoshiro256StarStar
    /// Rows arrived so far in this pass.
    public private(set) var arrived = 0
    /// Slots holding a row (the window or reservoir size so far).
    public private(set) var stored = 0

    /// nil when `capacity` is not positive.
    public init?(kind: Kind, capacity: Int, seed: UInt64) {
        guard capacity >= 1 else { return nil }
        self.kind = kind
        self.capacity = capacity
        self.generator = Xoshiro256StarStar(seed: seed)
    }

    public mutating func arrive() -> Step {
        arrived += 1
        var step = Step()
        if stored < capacity {
            step.storeSlot = stored
            stored += 1
            return step
        }
        switch kind {
        case .slidingWindow:
            let slot = Int(truncatingIfNeeded: generator.next(below: UInt64(capacity)))
            step.evictSlot = slot
            step.storeSlot = slot
        case .reservoir(let memoryProbability):
            let draw = Int(truncatingIfNeeded: generator.next(below: UInt64(arrived)))
            if draw < capacity {
                step.evictSlot = draw
                step.storeSlot = draw
            } else {
                step.trainArriving = true
            }
            if generator.nextUnitInterval() < memoryProbability {
                step.memorySlot = Int(truncatingIfNeeded: generator.next(below: UInt64(capacity)))
            }
        }
        return step
    }
}
