/// The update side of SGD for the linear family: the parameters of one model, the
/// optimizer's bookkeeping (decay, L2, cumulative L1, mini-batches), iterate averaging,
/// and the statistics of the epoch in progress. It knows nothing of buffers or order:
/// the ``TupleBuffer`` decides which row comes next and hands rows over.
///
/// Contract (unchanged from the single-class trainer of 0.1.0, pinned bit for bit by
/// `PinnedModelTests`):
/// - float64 arithmetic in a fixed order; the same rows in the same order give the same
///   bits.
/// - Learning rate of epoch `e` (0-based): `learning_rate * decay^e`.
/// - Mini-batches (`batch_size > 1`) average the gradients of `batch_size` rows; a
///   partial batch is applied by ``endPass()``.
/// - L2: weight decay `w *= 1 - lr*l2` per update (intercepts excluded); skipped when 0.
/// - L1: Tsuruoka et al.'s cumulative penalty, applied only to the coordinates a row
///   touches (non-zero features), so it costs O(non-zeros) per update and nothing when 0.
/// - Averaging (`average=true`): after every update (row, or mini-batch) the running
///   mean of the epoch's iterates moves by `(w - mean) / count`; the mean restarts at
///   the epoch's first update. ``model`` is the mean, training continues from the
///   iterate. With L1 the iterates averaged are those of the lazy penalty.
/// - Rows are trusted here (finite, right length, encoded target): the trainer checks
///   them before they reach a buffer.
final class LinearLearner: RowLearner {
    let kind: ModelKind
    let featureCount: Int
    let outputs: Int
    let classValues: [Double]
    let parameters: TrainingParameters

    // Hot-loop copies of the parameters: reading `parameters` (which holds a String)
    // would retain and release it on every row.
    private let l2: Double
    private let l1: Double
    private let batchSize: Int
    private let trainsIntercept: Bool
    /// svr's epsilon (0 for the other kinds, which ignore it).
    private let margin: Double
    /// class_weight: the weight of each class (binary: negative, positive), or nil.
    private let classWeight: UnsafeMutablePointer<Double>?
    private let classWeightCount: Int

    /// Epochs closed so far: sets the learning rate. Changed only while idle.
    var epochsCompleted: Int
    /// The epoch in progress: rows trained and their progressive loss.
    var current = EpochStatistics()

    private let weights: UnsafeMutablePointer<Double>      // outputs * featureCount
    private let intercepts: UnsafeMutablePointer<Double>   // outputs
    private let l1Applied: UnsafeMutablePointer<Double>?   // outputs * featureCount, when l1 > 0
    private var l1Total: Double
    private let batchGradient: UnsafeMutablePointer<Double>?  // when batch_size > 1
    private let batchInterceptGradient: UnsafeMutablePointer<Double>?
    private let batchTouched: UnsafeMutablePointer<Bool>?
    private(set) var pendingBatchRows = 0
    private let scores: UnsafeMutablePointer<Double>
    private let gradient: UnsafeMutablePointer<Double>
    // Averaging: the running mean of the epoch's iterates, and how many it holds.
    private let averageWeights: UnsafeMutablePointer<Double>?
    private let averageIntercepts: UnsafeMutablePointer<Double>?
    private var averageCount: Int64 = 0
    private var restartAverage = false
    private let allocations: [RawAllocation]

    /// A learner continuing from `model` (with averaging, `averaging` holds the iterate
    /// and the running mean is `model`); nil when memory cannot be had or the iterate's
    /// shape differs from the model's.
    init?(model: LinearModel, parameters: TrainingParameters, epochsCompleted: Int, current: EpochStatistics,
          l1Total: Double, l1Applied: [Double]?, averaging: TrainerSnapshot.AveragingState?) {
        let n = model.featureCount, k = model.outputs
        var iterate: LinearModel? = nil
        if parameters.average {
            if let saved = averaging?.iterate {
                guard let linear = saved.linearModel, linear.weights.count == model.weights.count,
                    linear.intercepts.count == model.intercepts.count
                else { return nil }
                iterate = linear
            } else {
                iterate = model
            }
        }
        var allocations: [RawAllocation] = []
        func allocate<T>(_ count: Int, _ type: T.Type) -> UnsafeMutablePointer<T>? {
            RawAllocation.typed(count, type, into: &allocations)
        }
        let useL1 = parameters.l1 > 0, useBatch = parameters.batchSize > 1, useAverage = iterate != nil
        guard let w = allocate(n * k, Double.self), let b = allocate(k, Double.self),
            let s = allocate(k, Double.self), let g = allocate(k, Double.self)
        else { allocations.forEach { $0.release() }; return nil }
        let q = useL1 ? allocate(n * k, Double.self) : nil
        let bg = useBatch ? allocate(n * k, Double.self) : nil
        let bb = useBatch ? allocate(k, Double.self) : nil
        let touched = useBatch ? allocate(n, Bool.self) : nil
        let aw = useAverage ? allocate(n * k, Double.self) : nil
        let ab = useAverage ? allocate(k, Double.self) : nil
        // One weight per class: two for a binary model's single output, k for softmax.
        let classCount = k == 1 ? 2 : k
        if let weights = parameters.classWeights, weights.count != classCount || !model.kind.isClassifier {
            allocations.forEach { $0.release() }
            return nil
        }
        let cw = parameters.classWeights == nil ? nil : allocate(classCount, Double.self)
        if (useL1 && q == nil) || (useBatch && (bg == nil || bb == nil || touched == nil))
            || (useAverage && (aw == nil || ab == nil)) || (parameters.classWeights != nil && cw == nil) {
            allocations.forEach { $0.release() }
            return nil
        }
        // The iterate trains; with averaging the model is the running mean beside it.
        let start = iterate ?? model
        for i in 0..<(n * k) { w[i] = start.weights[i] }
        for i in 0..<k { b[i] = start.intercepts[i] }
        if let aw, let ab {
            for i in 0..<(n * k) { aw[i] = model.weights[i] }
            for i in 0..<k { ab[i] = model.intercepts[i] }
        }
        if let q {
            for i in 0..<(n * k) { q[i] = l1Applied.map { $0.count == n * k ? $0[i] : 0 } ?? 0 }
        }
        if let bg, let bb, let touched {
            for i in 0..<(n * k) { bg[i] = 0 }
            for i in 0..<k { bb[i] = 0 }
            for i in 0..<n { touched[i] = false }
        }
        self.kind = model.kind
        self.featureCount = n
        self.outputs = k
        self.classValues = model.classValues
        self.parameters = parameters
        self.l2 = parameters.l2
        self.l1 = parameters.l1
        self.batchSize = parameters.batchSize
        self.trainsIntercept = parameters.intercept
        self.margin = model.kind == .svr ? parameters.svrEpsilon : 0
        if let cw, let weights = parameters.classWeights {
            for (i, weight) in weights.enumerated() { cw[i] = weight }
        }
        self.classWeight = cw
        self.classWeightCount = cw == nil ? 0 : classCount
        self.epochsCompleted = epochsCompleted
        self.current = current
        self.weights = w
        self.intercepts = b
        self.l1Applied = q
        self.l1Total = l1Total
        self.batchGradient = bg
        self.batchInterceptGradient = bb
        self.batchTouched = touched
        self.scores = s
        self.gradient = g
        self.averageWeights = aw
        self.averageIntercepts = ab
        self.averageCount = max(0, min(averaging?.count ?? 0, TrainerSnapshot.maximumRows))
        self.allocations = allocations
    }

    deinit { allocations.forEach { $0.release() } }

    /// The learning rate of the epoch in progress: `learning_rate * decay^epochsCompleted`.
    var learningRate: Double { parameters.learningRate(epoch: epochsCompleted) }

    // MARK: - The model and its bookkeeping

    /// The model as it stands (copies the weights): with averaging, the mean of the
    /// epoch's iterates once the epoch has had an update (else the iterate).
    var model: TrainedModel {
        if let averageWeights, let averageIntercepts, averageCount > 0 {
            return .linear(copyModel(averageWeights, averageIntercepts))
        }
        return .linear(copyModel(weights, intercepts))
    }

    /// The SGD iterate (the model itself when not averaging).
    var iterate: TrainedModel { .linear(copyModel(weights, intercepts)) }

    /// Averaging bookkeeping for a snapshot (nil when not averaging).
    var averagingState: TrainerSnapshot.AveragingState? {
        guard averageWeights != nil else { return nil }
        return TrainerSnapshot.AveragingState(iterate: iterate, count: averageCount)
    }

    /// SGD's bookkeeping: the L1 penalty so far and what each weight received (when l1 > 0).
    var optimizerState: OptimizerState {
        OptimizerState(steps: 0, l1Total: l1Total,
                       first: l1Applied.map { q in (0..<(featureCount * outputs)).map { q[$0] } } ?? [], second: [])
    }

    private func copyModel(_ w: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>) -> LinearModel {
        let n = featureCount * outputs
        return LinearModel(kind: kind, featureCount: featureCount, hasIntercept: parameters.intercept,
                           classValues: classValues,
                           weights: (0..<n).map { w[$0] },
                           intercepts: (0..<outputs).map { b[$0] }, lossMargin: margin)!
    }

    // MARK: - Learning

    /// Trains rows `order[range]` of a buffer (row `r` at `features + r * featureCount`,
    /// its target at `targets[r]`; `count` rows are valid), prefetching ahead; stops
    /// early when `stop` asks (checked every 1024 rows).
    func learn(features: UnsafePointer<Double>, targets: UnsafePointer<Double>, order: UnsafePointer<UInt32>,
               range: Range<Int>, count: Int, stop: TrainingWorker?) {
        let lr = learningRate
        forEachBufferedRow(features: features, targets: targets, order: order, range: range, count: count,
                           featureCount: featureCount, stop: stop) { x, target in
            learn(row: x, target: target, learningRate: lr)
        }
    }

    /// Trains one row at the epoch's learning rate.
    func learn(row x: UnsafePointer<Double>, target: Double) {
        learn(row: x, target: target, learningRate: learningRate)
    }

    /// Ends a pass: applies a partial mini-batch.
    func endPass() { applyBatch() }

    @inline(__always)
    private func learn(row x: UnsafePointer<Double>, target: Double, learningRate lr: Double) {
        let n = featureCount, k = outputs
        for o in 0..<k { scores[o] = intercepts[o] + dot(weights + o * n, x, n) }
        update(row: x, target: target, learningRate: lr)
    }

    /// Output o's row of weights (`featureCount` values): what a ``FanOutLearner`` takes
    /// dot products with, several models' at once. Valid while the learner lives.
    func weightRow(_ o: Int) -> UnsafePointer<Double> { UnsafePointer(weights + o * featureCount) }

    /// Trains one row whose dot products with ``weightRow(_:)`` were computed by the
    /// caller (`dots[o]`, summed in index order as `dot` sums): bit for bit
    /// ``learn(row:target:)`` at learning rate `lr`.
    @inline(__always)
    func learn(row x: UnsafePointer<Double>, target: Double, learningRate lr: Double, dots: UnsafePointer<Double>) {
        for o in 0..<outputs { scores[o] = intercepts[o] + dots[o] }
        update(row: x, target: target, learningRate: lr)
    }

    /// The update after the scores of row `x` are in `scores`.
    @inline(__always)
    private func update(row x: UnsafePointer<Double>, target: Double, learningRate lr: Double) {
        let n = featureCount, k = outputs
        var loss = Objective.lossAndGradient(
            kind: kind, scores: UnsafeBufferPointer(start: scores, count: k), target: target,
            gradient: UnsafeMutableBufferPointer(start: gradient, count: k), margin: margin)
        if let classWeight {
            // The row's class: +1/-1 targets for one output, the class index for softmax.
            let c = k == 1 ? (target > 0 ? 1 : 0) : Int(exactly: target) ?? -1
            let weight = c >= 0 && c < classWeightCount ? classWeight[c] : 1
            loss *= weight
            for o in 0..<k { gradient[o] *= weight }
        }
        if current.rows == 0 { restartAverage = true }
        current.rows &+= 1
        current.lossSum += loss

        if let batchGradient, let batchInterceptGradient, let batchTouched {
            for o in 0..<k where gradient[o] != 0 {
                let g = gradient[o], row = batchGradient + o * n
                for i in 0..<n { row[i] += g * x[i] }
                batchInterceptGradient[o] += g
            }
            for i in 0..<n where x[i] != 0 { batchTouched[i] = true }
            pendingBatchRows += 1
            if pendingBatchRows == batchSize { applyBatch() }
            return
        }

        if k == 1, l1Applied == nil {
            updateOneOutput(row: x, learningRate: lr)
            return
        }
        if l2 > 0 {
            let scale = 1 - lr * l2
            for i in 0..<(n * k) { weights[i] *= scale }
        }
        for o in 0..<k where gradient[o] != 0 {
            let step = lr * gradient[o], row = weights + o * n
            for i in 0..<n { row[i] -= step * x[i] }
            if trainsIntercept { intercepts[o] -= step }
        }
        if let l1Applied {
            l1Total += lr * l1
            for i in 0..<n where x[i] != 0 {
                for o in 0..<k { applyL1(at: o * n + i, l1Applied) }
            }
        }
        accumulateAverage()
    }

    /// The update of one output without L1 (linear, logistic, svm; the common case): the
    /// decay, the step and the running mean in one sweep of the weights. Each weight gets
    /// the operations of the general path in the same order (`w * scale - step * x`, then
    /// `mean + share * (w - mean)`; a scale of exactly 1 when there is no L2, which is
    /// exact), so the bits are the same; one sweep in place of three.
    @inline(__always)
    private func updateOneOutput(row x: UnsafePointer<Double>, learningRate lr: Double) {
        let n = featureCount, w = weights, g = gradient[0]
        var copyMean = false, share = 0.0
        let mean = averageWeights
        if mean != nil {
            if restartAverage { averageCount = 0; restartAverage = false }
            averageCount &+= 1
            if averageCount == 1 { copyMean = true } else { share = 1 / Double(averageCount) }
        }
        if g != 0 {
            let step = lr * g, scale = l2 > 0 ? 1 - lr * l2 : 1.0
            if let mean, !copyMean {
                for i in 0..<n {
                    let wi = w[i] * scale - step * x[i]
                    w[i] = wi
                    mean[i] += share * (wi - mean[i])
                }
            } else {
                for i in 0..<n { w[i] = w[i] * scale - step * x[i] }
                if let mean { for i in 0..<n { mean[i] = w[i] } }
            }
            if trainsIntercept { intercepts[0] -= step }
        } else {
            if l2 > 0 {
                let scale = 1 - lr * l2
                for i in 0..<n { w[i] *= scale }
            }
            if let mean {
                if copyMean {
                    for i in 0..<n { mean[i] = w[i] }
                } else {
                    for i in 0..<n { mean[i] += share * (w[i] - mean[i]) }
                }
            }
        }
        if let meanIntercept = averageIntercepts {
            if copyMean {
                meanIntercept[0] = intercepts[0]
            } else {
                meanIntercept[0] += share * (intercepts[0] - meanIntercept[0])
            }
        }
    }

    private func applyBatch() {
        guard let batchGradient, let batchInterceptGradient, let batchTouched, pendingBatchRows > 0 else { return }
        let n = featureCount, k = outputs, lr = learningRate
        let scale = lr / Double(pendingBatchRows)
        if l2 > 0 {
            let decay = 1 - lr * l2
            for i in 0..<(n * k) { weights[i] *= decay }
        }
        for i in 0..<(n * k) { weights[i] -= scale * batchGradient[i]; batchGradient[i] = 0 }
        for o in 0..<k {
            if trainsIntercept { intercepts[o] -= scale * batchInterceptGradient[o] }
            batchInterceptGradient[o] = 0
        }
        if let l1Applied {
            l1Total += lr * l1
            for i in 0..<n where batchTouched[i] {
                for o in 0..<k { applyL1(at: o * n + i, l1Applied) }
            }
        }
        for i in 0..<n { batchTouched[i] = false }
        pendingBatchRows = 0
        accumulateAverage()
    }

    @inline(__always)
    private func applyL1(at index: Int, _ applied: UnsafeMutablePointer<Double>) {
        let before = weights[index]
        if before > 0 {
            weights[index] = max(0, before - (l1Total + applied[index]))
        } else if before < 0 {
            weights[index] = min(0, before + (l1Total - applied[index]))
        }
        applied[index] += weights[index] - before
    }

    /// Moves the running mean toward the iterate after an update (restarting it at the
    /// epoch's first update). Nothing when not averaging.
    @inline(__always)
    private func accumulateAverage() {
        guard let averageWeights, let averageIntercepts else { return }
        if restartAverage { averageCount = 0; restartAverage = false }
        averageCount &+= 1
        let size = featureCount * outputs
        if averageCount == 1 {
            for i in 0..<size { averageWeights[i] = weights[i] }
            for o in 0..<outputs { averageIntercepts[o] = intercepts[o] }
            return
        }
        let share = 1 / Double(averageCount)
        for i in 0..<size { averageWeights[i] += share * (weights[i] - averageWeights[i]) }
        for o in 0..<outputs { averageIntercepts[o] += share * (intercepts[o] - averageIntercepts[o]) }
    }
}
