/// The schedule of one epoch of Model Hopper Parallelism (MOP): K models each visit S
/// segments exactly once, one model per segment and one segment per model at a time.
///
/// Order (fixed before the epoch, from the seed only): draw seeded permutations σ of the
/// segments and π of the models; model m's j-th visit is segment σ((π(m) + j) mod S), a
/// Latin square, so that at any step the models want different segments.
/// Dispatch (asynchronous, no barrier): a free participant takes, among the idle models
/// whose next segment is idle, the one with the fewest completed visits (ties: lowest
/// index). A model's result depends only on its visit order and the per-(model, epoch,
/// segment) seeds, never on which participant ran it or when: the models are the same
/// bit for bit for any number of workers, none included.
///
/// Contract: pure value type, no allocation in ``pick()`` and ``complete(model:)``,
/// O(K) per pick; never traps (shapes are validated by ``init(models:segments:seed:epoch:)``).
public struct ModelHopSchedule: Equatable, Sendable {
    public let models: Int
    public let segments: Int
    /// `order[m * segments + j]`: the segment of model m's j-th visit.
    public private(set) var order: [Int]
    /// Visits each model has completed this epoch.
    public private(set) var completed: [Int]
    private var modelBusy: [Bool]
    private var segmentBusy: [Bool]
    /// Visits finished in all, out of `models * segments`.
    public private(set) var jobsDone = 0

    /// At most 100,000 models and 100,000 segments, and at most 2^20 cells in the order
    /// (K * S: 1,000 models x 1,000 segments), so that building it stays a call of tens of
    /// milliseconds (the glue checks for interrupts between calls).
    public static let maximumModels = 100_000
    public static let maximumSegments = 100_000
    public static let maximumCells = 1 << 20

    /// The schedule of epoch `epoch`; nil for a shape out of range.
    public init?(models: Int, segments: Int, seed: Int64, epoch: Int) {
        guard models >= 1, models <= ModelHopSchedule.maximumModels, segments >= 1,
            segments <= ModelHopSchedule.maximumSegments
        else { return nil }
        let (cells, overflow) = models.multipliedReportingOverflow(by: segments)
        guard !overflow, cells <= ModelHopSchedule.maximumCells else { return nil }
        self.models = models
        self.segments = segments
        var generator = Xoshiro256StarStar(seed: SeedDerivation.scheduleSeed(runSeed: seed, epoch: epoch))
        let sigma = ModelHopSchedule.permutation(segments, &generator)
        let pi = ModelHopSchedule.permutation(models, &generator)
        var order = [Int](repeating: 0, count: cells)
        for m in 0..<models {
            for j in 0..<segments { order[m * segments + j] = sigma[(pi[m] + j) % segments] }
        }
        self.order = order
        completed = [Int](repeating: 0, count: models)
        modelBusy = [Bool](repeating: false, count: models)
        segmentBusy = [Bool](repeating: false, count: segments)
    }

    /// A seeded Fisher-Yates permutation of 0..<count.
    static func permutation(_ count: Int, _ generator: inout Xoshiro256StarStar) -> [Int] {
        var values = Array(0..<count)
        if count > 1 {
            for i in 0..<(count - 1) {
                let j = i + Int(truncatingIfNeeded: generator.next(below: UInt64(count - i)))
                values.swapAt(i, j)
            }
        }
        return values
    }

    /// Whether every visit of the epoch is done.
    public var isFinished: Bool { jobsDone == models * segments }

    /// The next job for a free participant: marks the model and its segment busy and
    /// returns them, or nil when no idle model's next segment is idle (wait for a
    /// ``complete(model:)``, or the epoch is finished).
    public mutating func pick() -> (model: Int, segment: Int)? {
        var best = -1
        for m in 0..<models where !modelBusy[m] && completed[m] < segments {
            let segment = order[m * segments + completed[m]]
            if segmentBusy[segment] { continue }
            if best < 0 || completed[m] < completed[best] { best = m }
        }
        guard best >= 0 else { return nil }
        let segment = order[best * segments + completed[best]]
        modelBusy[best] = true
        segmentBusy[segment] = true
        return (best, segment)
    }

    /// Marks model `model`'s running visit done (its segment free again). False, changing
    /// nothing, when the model is not running.
    @discardableResult
    public mutating func complete(model: Int) -> Bool {
        guard model >= 0, model < models, modelBusy[model], completed[model] < segments else { return false }
        let segment = order[model * segments + completed[model]]
        modelBusy[model] = false
        segmentBusy[segment] = false
        completed[model] += 1
        jobsDone += 1
        return true
    }

    /// Model m's visit order this epoch (what a single-model run can replay to check
    /// bit-identity).
    public func visits(of model: Int) -> [Int] {
        guard model >= 0, model < models else { return [] }
        return Array(order[(model * segments)..<((model + 1) * segments)])
    }
}
