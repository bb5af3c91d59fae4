import CorgiKernels

/// The general learner: any ``TrainableModel`` with any ``Optimizer``, fed a mini-batch
/// of `batch_size` rows at a time (1: row by row). Per batch: one forward pass, the
/// loss and dLoss/dscores of each row from ``Objective`` (before the update: the
/// progressive loss), one backward pass summing the gradient, one optimizer step.
///
/// Contract: float64 in a fixed order, so the same rows in the same order give the same
/// bits; a partial batch is applied by ``endPass()``. Learning rate of epoch `e`:
/// `learning_rate * decay^e`. Averaging as ``LinearLearner`` (the mean of the epoch's
/// iterates, one iterate per optimizer step). Never traps.
final class BatchLearner<Model: TrainableModel>: RowLearner {
    let shape: Model
    let parameters: TrainingParameters
    var featureCount: Int { shape.featureCount }
    var outputs: Int { shape.outputs }
    var epochsCompleted: Int
    var current: EpochStatistics
    private(set) var pendingBatchRows = 0

    private let optimizer: Optimizer
    private let kind: ModelKind
    private let batchSize: Int
    private let count: Int
    private let weights: UnsafeMutablePointer<Double>       // the iterate
    private let gradient: UnsafeMutablePointer<Double>
    private let inputs: UnsafeMutablePointer<Double>        // batchSize x featureCount
    private let targets: UnsafeMutablePointer<Double>
    private let scores: UnsafeMutablePointer<Double>        // batchSize x outputs
    private let dScores: UnsafeMutablePointer<Double>
    private let workspace: UnsafeMutablePointer<Double>
    private let average: UnsafeMutablePointer<Double>?
    private var averageCount: Int64
    private var restartAverage = false
    private let allocations: [RawAllocation]

    /// A learner continuing from `model` (the iterate is `averaging.iterate` when
    /// averaging), nil when memory cannot be had or a saved state does not fit the shape.
    init?(model: Model, iterate: Model?, parameters: TrainingParameters, epochsCompleted: Int,
          current: EpochStatistics, averageCount: Int64, optimizerState: OptimizerState?) {
        let p = model.parameterCount, k = model.outputs, n = model.featureCount
        let b = max(1, parameters.batchSize)
        if let iterate, iterate.parameterCount != p { return nil }
        guard let optimizer = makeOptimizer(parameters, parameterCount: p, penalizedCount: model.penalizedCount,
                                            state: optimizerState)
        else { return nil }
        var allocations: [RawAllocation] = []
        func allocate(_ count: Int) -> UnsafeMutablePointer<Double>? {
            RawAllocation.typed(count, Double.self, into: &allocations)
        }
        let (inputCount, overflow) = b.multipliedReportingOverflow(by: n)
        guard !overflow, let w = allocate(p), let g = allocate(p), let x = allocate(inputCount), let t = allocate(b),
            let s = allocate(b * k), let ds = allocate(b * k), let ws = allocate(model.workspaceSize(rows: b))
        else { allocations.forEach { $0.release() }; return nil }
        let mean = parameters.average ? allocate(p) : nil
        if parameters.average && mean == nil { allocations.forEach { $0.release() }; return nil }
        let start = (iterate ?? model).flatParameters
        for i in 0..<p { w[i] = start[i]; g[i] = 0 }
        if let mean {
            let m = model.flatParameters
            for i in 0..<p { mean[i] = m[i] }
        }
        self.shape = model
        self.parameters = parameters
        self.epochsCompleted = epochsCompleted
        self.current = current
        self.optimizer = optimizer
        self.kind = model.kind
        self.batchSize = b
        self.count = p
        self.weights = w
        self.gradient = g
        self.inputs = x
        self.targets = t
        self.scores = s
        self.dScores = ds
        self.workspace = ws
        self.average = mean
        self.averageCount = mean == nil ? 0 : max(0, min(averageCount, TrainerSnapshot.maximumRows))
        self.allocations = allocations
    }

    deinit { allocations.forEach { $0.release() } }

    var learningRate: Double { parameters.learningRate(epoch: epochsCompleted) }

    /// The model: with averaging, the mean of the epoch's iterates once the epoch has had
    /// an update (else the iterate).
    var trainedModel: Model {
        if let average, averageCount > 0 { return shape.replacingParameters(average) }
        return shape.replacingParameters(weights)
    }
    var trainedIterate: Model { shape.replacingParameters(weights) }
    var iteratesAveraged: Int64? { average == nil ? nil : averageCount }
    var optimizerState: OptimizerState { optimizer.state }

    func learn(features: UnsafePointer<Double>, targets rowTargets: UnsafePointer<Double>,
               order: UnsafePointer<UInt32>, range: Range<Int>, count rowCount: Int, stop: TrainingWorker?) {
        forEachBufferedRow(features: features, targets: rowTargets, order: order, range: range, count: rowCount,
                           featureCount: featureCount, stop: stop) { x, target in
            learn(row: x, target: target)
        }
    }

    func learn(row x: UnsafePointer<Double>, target: Double) {
        let n = featureCount, destination = inputs + pendingBatchRows * n
        for i in 0..<n { destination[i] = x[i] }
        targets[pendingBatchRows] = target
        pendingBatchRows += 1
        if pendingBatchRows == batchSize { applyBatch() }
    }

    func endPass() { applyBatch() }

    /// Forward, loss, backward and one optimizer step over the pending rows.
    private func applyBatch() {
        let rows = pendingBatchRows, k = outputs
        guard rows > 0 else { return }
        shape.forward(parameters: weights, inputs: inputs, rows: rows, scores: scores, workspace: workspace)
        if current.rows == 0 { restartAverage = true }
        // The sums in locals: the class's stored statistics are touched once per batch.
        var lossSum = current.lossSum
        for r in 0..<rows {
            lossSum += Objective.lossAndGradient(
                kind: kind, scores: UnsafeBufferPointer(start: scores + r * k, count: k), target: targets[r],
                gradient: UnsafeMutableBufferPointer(start: dScores + r * k, count: k))
        }
        current.rows &+= Int64(rows)
        current.lossSum = lossSum
        for i in 0..<count { gradient[i] = 0 }
        shape.backward(parameters: weights, inputs: inputs, rows: rows, dScores: dScores, gradient: gradient,
                       workspace: workspace)
        optimizer.step(parameters: weights, gradientSum: gradient, rows: rows, learningRate: learningRate)
        pendingBatchRows = 0
        accumulateAverage()
    }

    private func accumulateAverage() {
        guard let average else { return }
        if restartAverage { averageCount = 0; restartAverage = false }
        averageCount &+= 1
        if averageCount == 1 {
            for i in 0..<count { average[i] = weights[i] }
            return
        }
        corgi_running_mean(average, weights, count, 1 / Double(averageCount))
    }
}

extension BatchLearner {
    var model: TrainedModel { trainedModel.asTrainedModel }
    var iterate: TrainedModel { trainedIterate.asTrainedModel }
    var averagingState: TrainerSnapshot.AveragingState? {
        iteratesAveraged.map { TrainerSnapshot.AveragingState(iterate: trainedIterate.asTrainedModel, count: $0) }
    }
}
