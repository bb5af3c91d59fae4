/// The schedule of one epoch of Model Hopper Parallelism (MOP): K models each visit S
/// segments exactly once, one model per segment and one segment per model at a time.
///
/// Order (fixed before the epoch, from the seed and the models' offsets only): draw a
/// seeded permutation σ of the segments; model m, of offset o(m), makes its j-th visit
/// to segment σ((o(m) + j) mod S). With the offsets m mod S (what `corgi.fit_multiple`
/// gives its configs, in config order) this is a Latin square: at any step the models
/// want different segments. A model's order depends only on (seed, epoch, S, its
/// offset), so a single model trained with `segments=S, segment_offset=o` replays it.
/// Dispatch (asynchronous, no barrier): a free participant takes, among the idle models
/// whose next segment is idle, the one with the fewest completed visits (ties: lowest
/// index). A model's result depends only on its visit order and the per-(model, epoch,
/// segment) seeds, never on which participant ran it or when: the models are the same
/// bit for bit for any number of workers, none included.
///
/// Contract: pure value type, no allocation in ``pick()`` and ``complete(model:)``,
/// O(K) per pick; never traps (shapes are validated by the initializers). The same
/// dispatch runs on plain arrays in shared memory (``HopBoard``), which is what the
/// glue's parallel workers call.
public struct ModelHopSchedule: Equatable, Sendable {
    public let models: Int
    public let segments: Int
    /// `order[m * segments + j]`: the segment of model m's j-th visit.
    public private(set) var order: [Int32]
    /// Visits each model has completed this epoch.
    public private(set) var completed: [Int32]
    private var modelBusy: [UInt8]
    private var segmentBusy: [UInt8]
    /// Visits finished in all, out of `models * segments`.
    public var jobsDone: Int { completed.reduce(0) { $0 + Int($1) } }

    /// At most 100,000 models and 100,000 segments, and at most 2^20 cells in the order
    /// (K * S: 1,000 models x 1,000 segments), so that building it stays a call of tens of
    /// milliseconds (the glue checks for interrupts between calls).
    public static let maximumModels = 100_000
    public static let maximumSegments = 100_000
    public static let maximumCells = 1 << 20

    /// The schedule of epoch `epoch` for `models` models of offsets 0, 1, ... (mod S);
    /// nil for a shape out of range.
    public init?(models: Int, segments: Int, seed: Int64, epoch: Int) {
        guard models >= 1, models <= ModelHopSchedule.maximumModels, segments >= 1 else { return nil }
        self.init(offsets: (0..<models).map { $0 % segments }, segments: segments, seed: seed, epoch: epoch)
    }

    /// The schedule of epoch `epoch` for one model per offset (each in 0..<segments);
    /// nil for a shape or an offset out of range.
    public init?(offsets: [Int], segments: Int, seed: Int64, epoch: Int) {
        let models = offsets.count
        guard models >= 1, models <= ModelHopSchedule.maximumModels, segments >= 1,
            segments <= ModelHopSchedule.maximumSegments, offsets.allSatisfy({ $0 >= 0 && $0 < segments })
        else { return nil }
        let (cells, overflow) = models.multipliedReportingOverflow(by: segments)
        guard !overflow, cells <= ModelHopSchedule.maximumCells else { return nil }
        self.models = models
        self.segments = segments
        let sigma = ModelHopSchedule.segmentPermutation(segments: segments, seed: seed, epoch: epoch)
        var order = [Int32](repeating: 0, count: cells)
        for m in 0..<models {
            for j in 0..<segments { order[m * segments + j] = Int32(sigma[(offsets[m] + j) % segments]) }
        }
        self.order = order
        completed = [Int32](repeating: 0, count: models)
        modelBusy = [UInt8](repeating: 0, count: models)
        segmentBusy = [UInt8](repeating: 0, count: segments)
    }

    /// σ of epoch `epoch`: the seeded permutation of the segments the visit orders walk.
    static func segmentPermutation(segments: Int, seed: Int64, epoch: Int) -> [Int] {
        var generator = Xoshiro256StarStar(seed: SeedDerivation.scheduleSeed(runSeed: seed, epoch: epoch))
        return permutation(segments, &generator)
    }

    /// A seeded Fisher-Yates permutation of 0..<count.
    static func permutation(_ count: Int, _ generator: inout Xoshiro256StarStar) -> [Int] {
        var values = Array(0..<count)
        values.withUnsafeMutableBufferPointer { generator.shuffle($0) }
        return values
    }

    /// Whether every visit of the epoch is done.
    public var isFinished: Bool { jobsDone == models * segments }

    /// The next job for a free participant: marks the model and its segment busy and
    /// returns them, or nil when no idle model's next segment is idle (wait for a
    /// ``complete(model:)``, or the epoch is finished).
    public mutating func pick() -> (model: Int, segment: Int)? {
        withBoard { $0.pick() } ?? nil
    }

    /// Marks model `model`'s running visit done (its segment free again). False, changing
    /// nothing, when the model is not running.
    @discardableResult
    public mutating func complete(model: Int) -> Bool {
        withBoard { $0.complete(model: model) } ?? false
    }

    /// `body` on a ``HopBoard`` over this schedule's arrays (nil if their shapes disagree,
    /// which the initializers rule out).
    private mutating func withBoard<Result>(_ body: (HopBoard) -> Result) -> Result? {
        let (models, segments) = (self.models, self.segments)
        return order.withUnsafeBufferPointer { order in
            completed.withUnsafeMutableBufferPointer { completed in
                modelBusy.withUnsafeMutableBufferPointer { modelBusy in
                    segmentBusy.withUnsafeMutableBufferPointer { segmentBusy in
                        HopBoard(models: models, segments: segments, order: order, completed: completed,
                                 modelBusy: modelBusy, segmentBusy: segmentBusy).map(body)
                    }
                }
            }
        }
    }

    /// Model m's visit order this epoch (what a single-model run replays).
    public func visits(of model: Int) -> [Int] {
        guard model >= 0, model < models else { return [] }
        return order[(model * segments)..<((model + 1) * segments)].map { Int($0) }
    }
}
