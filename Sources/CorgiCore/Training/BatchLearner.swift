import CorgiKernels

/// The general learner: any ``TrainableModel`` with any ``Optimizer``, fed a mini-batch
/// of `batch_size` rows at a time (1: row by row). Per batch: one forward pass, the
/// loss and dLoss/dscores of each row from ``Objective`` (before the update: the
/// progressive loss), one backward pass summing the gradient, one optimizer step.
///
/// Contract: a fixed order of operations, so the same rows in the same order give the same
/// bits; the parameters, the optimizer and the loss are float64; a model that
/// ``TrainableModel/trainsInFloat32`` (a network) runs its forward and backward passes in
/// float32 on a float32 copy of the parameters, taken each step. A partial batch is
/// applied by ``endPass()``. Learning rate of epoch `e`:
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
    /// class_weight (the linear family's classifiers; checked by ``SGDTrainer``), or empty.
    private let classWeights: [Double]
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
    /// float32 copies for a model that trains in float32 (else nil).
    private let single: SinglePrecisionBuffers?
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
        var single: SinglePrecisionBuffers? = nil
        if model.trainsInFloat32 {
            func allocateFloats(_ count: Int) -> UnsafeMutablePointer<Float>? {
                RawAllocation.typed(count, Float.self, into: &allocations)
            }
            guard let w32 = allocateFloats(p), let g32 = allocateFloats(p), let x32 = allocateFloats(inputCount),
                let s32 = allocateFloats(b * k), let ds32 = allocateFloats(b * k),
                let ws32 = allocateFloats(model.workspaceSize(rows: b))
            else { allocations.forEach { $0.release() }; return nil }
            single = SinglePrecisionBuffers(weights: w32, gradient: g32, inputs: x32, scores: s32, dScores: ds32,
                                            workspace: ws32)
        }
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
        self.classWeights = parameters.classWeights ?? []
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
        self.single = single
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
        let n = featureCount
        if let single {
            let destination = single.inputs + pendingBatchRows * n
            for i in 0..<n { destination[i] = Float(x[i]) }
        } else {
            let destination = inputs + pendingBatchRows * n
            for i in 0..<n { destination[i] = x[i] }
        }
        targets[pendingBatchRows] = target
        pendingBatchRows += 1
        if pendingBatchRows == batchSize { applyBatch() }
    }

    func endPass() { applyBatch() }

    /// Forward, loss, backward and one optimizer step over the pending rows.
    private func applyBatch() {
        let rows = pendingBatchRows, k = outputs
        guard rows > 0 else { return }
        if let single {
            corgi_double_to_float(weights, single.weights, count)
            shape.forward(parameters: UnsafePointer(single.weights), inputs: single.inputs, rows: rows,
                          scores: single.scores, workspace: single.workspace)
            corgi_float_to_double(single.scores, scores, rows * k)
        } else {
            shape.forward(parameters: weights, inputs: inputs, rows: rows, scores: scores, workspace: workspace)
        }
        if current.rows == 0 { restartAverage = true }
        // The sums in locals: the class's stored statistics are touched once per batch.
        var lossSum = current.lossSum
        for r in 0..<rows {
            var loss = Objective.lossAndGradient(
                kind: kind, scores: UnsafeBufferPointer(start: scores + r * k, count: k), target: targets[r],
                gradient: UnsafeMutableBufferPointer(start: dScores + r * k, count: k))
            if !classWeights.isEmpty {
                let c = k == 1 ? (targets[r] > 0 ? 1 : 0) : Int(exactly: targets[r]) ?? -1
                let weight = c >= 0 && c < classWeights.count ? classWeights[c] : 1
                loss *= weight
                for o in 0..<k { dScores[r * k + o] *= weight }
            }
            lossSum += loss
        }
        current.rows &+= Int64(rows)
        current.lossSum = lossSum
        if let single {
            corgi_double_to_float(dScores, single.dScores, rows * k)
            for i in 0..<count { single.gradient[i] = 0 }
            shape.backward(parameters: UnsafePointer(single.weights), inputs: single.inputs, rows: rows,
                           dScores: single.dScores, gradient: single.gradient, workspace: single.workspace)
            corgi_float_to_double(single.gradient, gradient, count)
        } else {
            for i in 0..<count { gradient[i] = 0 }
            shape.backward(parameters: weights, inputs: inputs, rows: rows, dScores: dScores, gradient: gradient,
                           workspace: workspace)
        }
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

/// A network's float32 working copies: parameters (copied from the float64 iterate each
/// step), gradient, the batch's inputs, scores and dScores, and the workspace.
struct SinglePrecisionBuffers {
    let weights: UnsafeMutablePointer<Float>
    let gradient: UnsafeMutablePointer<Float>
    let inputs: UnsafeMutablePointer<Float>
    let scores: UnsafeMutablePointer<Float>
    let dScores: UnsafeMutablePointer<Float>
    let workspace: UnsafeMutablePointer<Float>
}

extension BatchLearner {
    var model: TrainedModel { trainedModel.asTrainedModel }
    var iterate: TrainedModel { trainedIterate.asTrainedModel }
    var averagingState: TrainerSnapshot.AveragingState? {
        iteratesAveraged.map { TrainerSnapshot.AveragingState(iterate: trainedIterate.asTrainedModel, count: $0) }
    }
}
