/// The dispatch state of a ``ModelHopSchedule`` as plain arrays that need not be owned by
/// Swift: the glue keeps them in dynamic shared memory, where every parallel worker
/// calls ``pick()`` and ``complete(model:)`` under the glue's spinlock.
///
/// Contract: no allocation, no trap on any contents (a corrupt segment number or count is
/// treated as "not runnable"), O(K) per call.
public struct HopBoard {
    public let models: Int
    public let segments: Int
    /// `order[m * segments + j]`: the segment of model m's j-th visit.
    let order: UnsafeBufferPointer<Int32>
    /// Visits each model has completed.
    let completed: UnsafeMutableBufferPointer<Int32>
    /// Nonzero while a model (a segment) is being trained (read).
    let modelBusy: UnsafeMutableBufferPointer<UInt8>
    let segmentBusy: UnsafeMutableBufferPointer<UInt8>

    /// A board over the given arrays; nil when their sizes do not match the shape.
    public init?(models: Int, segments: Int, order: UnsafeBufferPointer<Int32>,
                 completed: UnsafeMutableBufferPointer<Int32>, modelBusy: UnsafeMutableBufferPointer<UInt8>,
                 segmentBusy: UnsafeMutableBufferPointer<UInt8>) {
        guard models >= 1, segments >= 1, models <= ModelHopSchedule.maximumModels,
            segments <= ModelHopSchedule.maximumSegments, order.count == models * segments,
            completed.count == models, modelBusy.count == models, segmentBusy.count == segments
        else { return nil }
        self.models = models
        self.segments = segments
        self.order = order
        self.completed = completed
        self.modelBusy = modelBusy
        self.segmentBusy = segmentBusy
    }

    /// The segment of model m's next visit, or nil when it has none (or the board is corrupt).
    private func nextSegment(_ m: Int) -> Int? {
        let done = Int(completed[m])
        guard done >= 0, done < segments else { return nil }
        let segment = Int(order[m * segments + done])
        return segment >= 0 && segment < segments ? segment : nil
    }

    /// Among the idle models whose next segment is idle, the one with the fewest completed
    /// visits (ties: lowest index); marks it and its segment busy. Nil when none is runnable.
    public func pick() -> (model: Int, segment: Int)? {
        var best = -1, bestSegment = -1
        for m in 0..<models where modelBusy[m] == 0 {
            guard let segment = nextSegment(m), segmentBusy[segment] == 0 else { continue }
            if best < 0 || completed[m] < completed[best] { (best, bestSegment) = (m, segment) }
        }
        guard best >= 0 else { return nil }
        modelBusy[best] = 1
        segmentBusy[bestSegment] = 1
        return (best, bestSegment)
    }

    /// Marks model `model`'s running visit done. False, changing nothing, when it is not running.
    public func complete(model: Int) -> Bool {
        guard model >= 0, model < models, modelBusy[model] != 0, let segment = nextSegment(model) else { return false }
        modelBusy[model] = 0
        segmentBusy[segment] = 0
        completed[model] += 1
        return true
    }

    /// Whether every model has made all its visits.
    public var isFinished: Bool { (0..<models).allSatisfy { completed[$0] >= Int32(segments) } }
}
