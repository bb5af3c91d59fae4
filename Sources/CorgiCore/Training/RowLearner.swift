import CorgiKernels

/// What a ``TupleBuffer`` hands its rows to: one ``RowLearner``, or a ``FanOutLearner``
/// that trains several models on the same shuffled rows (a fused visit).
protocol BufferedRowConsumer: AnyObject {
    var featureCount: Int { get }
    /// Outputs per row (sizes the rows one inline step trains, never the arithmetic).
    var outputs: Int { get }
    /// Trains rows `order[range]` of a buffer (row `r` at `features + r * featureCount`,
    /// target `targets[r]`, `count` rows valid); stops early when `stop` asks.
    func learn(features: UnsafePointer<Double>, targets: UnsafePointer<Double>, order: UnsafePointer<UInt32>,
               range: Range<Int>, count: Int, stop: TrainingWorker?)
    /// Trains one row (the streaming modes).
    func learn(row: UnsafePointer<Double>, target: Double)
    /// Ends a pass: applies a partial mini-batch.
    func endPass()

    /// Models that learn independently from the same rows: 1 for a learner, a fused
    /// visit's count for a ``FanOutLearner``. Disjoint ranges of them may train the same
    /// buffer on two threads at once (the worker's part and the filling thread's).
    var memberCount: Int { get }
    /// Members `members` train rows `order[range]`, as
    /// ``learn(features:targets:order:range:count:stop:)`` trains all of them.
    func learn(members: Range<Int>, features: UnsafePointer<Double>, targets: UnsafePointer<Double>,
               order: UnsafePointer<UInt32>, range: Range<Int>, count: Int, stop: TrainingWorker?)
}

extension RowLearner {
    var memberCount: Int { 1 }
    func learn(members: Range<Int>, features: UnsafePointer<Double>, targets: UnsafePointer<Double>,
               order: UnsafePointer<UInt32>, range: Range<Int>, count: Int, stop: TrainingWorker?) {
        if members.contains(0) {
            learn(features: features, targets: targets, order: order, range: range, count: count, stop: stop)
        }
    }
}

/// What a ``TupleBuffer`` feeds and an ``SGDTrainer`` drives: a model with its update
/// rule, consuming checked rows (finite features, encoded target) in the order the
/// buffer decides. Two conformers: ``LinearLearner`` (the linear family with plain SGD,
/// row by row, pinned bit for bit to 0.1.0) and ``BatchLearner`` (any
/// ``TrainableModel`` with any ``Optimizer``, a mini-batch at a time).
protocol RowLearner: BufferedRowConsumer {
    /// Epochs closed so far (sets the learning rate); changed only while idle.
    var epochsCompleted: Int { get set }
    /// The epoch in progress: rows trained and their progressive loss.
    var current: EpochStatistics { get set }
    var learningRate: Double { get }
    /// Rows of a partial mini-batch not yet applied.
    var pendingBatchRows: Int { get }

    /// The model (with averaging, the epoch's mean), the iterate, and the bookkeeping a
    /// snapshot saves.
    var model: TrainedModel { get }
    var iterate: TrainedModel { get }
    var averagingState: TrainerSnapshot.AveragingState? { get }
    var optimizerState: OptimizerState { get }
}

/// How many rows ahead a learner prefetches while it trains a buffer in permuted order
/// (the rows come from a buffer far larger than the cache).
let rowPrefetchDistance = 8

/// Calls `body` with rows `order[range]` of a buffer (row `r` at `features + r *
/// featureCount`, its target at `targets[r]`; `count` rows valid), in order, asking for
/// the row ``rowPrefetchDistance`` places ahead while one trains; stops early when
/// `stop` asks (checked every 1024 rows). The one buffer walk of every learner.
@inline(__always)
func forEachBufferedRow(
    features: UnsafePointer<Double>, targets: UnsafePointer<Double>, order: UnsafePointer<UInt32>,
    range: Range<Int>, count: Int, featureCount: Int, stop: TrainingWorker?,
    _ body: (UnsafePointer<Double>, Double) -> Void
) {
    let rowBytes = featureCount * MemoryLayout<Double>.stride
    var position = range.lowerBound
    while position < range.upperBound {
        if let stop, position & 1023 == 0, stop.stopRequested.load(ordering: .relaxed) { return }
        let ahead = position + rowPrefetchDistance
        if ahead < count {
            let next = Int(order[ahead])
            corgi_prefetch(features + next * featureCount, rowBytes)
            corgi_prefetch(targets + next, 8)
        }
        let row = Int(order[position])
        body(features + row * featureCount, targets[row])
        position += 1
    }
}
