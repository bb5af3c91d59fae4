/// Everything a model's training state holds between passes, as a value: what is
/// serialized into the `bytea` state that hops between SQL calls and into the `model`
/// column of an output table. A snapshot holds no buffered rows (take it after
/// ``SGDTrainer/finishPass()`` has been drained).
public struct TrainerSnapshot: Equatable, Sendable {
    /// The model the state stands for: what predict, evaluate and the output tables use.
    /// With averaging on, the mean of the epoch's iterates (see ``averaging``).
    public var model: TrainedModel
    public var parameters: TrainingParameters
    public var bufferCapacity: Int
    public var bufferMode: BufferMode
    public var epochsCompleted: Int
    public var buffersThisEpoch: Int
    public var current: EpochStatistics
    public var lastEpoch: EpochStatistics
    public var l1Total: Double
    public var l1Applied: [Double]?
    /// Present exactly when `parameters.average` is on: the SGD iterate that training
    /// continues from, and how many iterates of the epoch in progress ``model`` averages
    /// (0 before the epoch's first update; the average restarts at each epoch's first
    /// update, so after an epoch closes ``model`` is that epoch's average).
    public var averaging: AveragingState?
    /// Present exactly when the optimizer is momentum or Adam: its velocity or moments.
    public var optimizerState: OptimizerState?

    /// The raw SGD iterate beside its running average.
    public struct AveragingState: Equatable, Sendable {
        public var iterate: TrainedModel
        public var count: Int64
        public init(iterate: TrainedModel, count: Int64) { self.iterate = iterate; self.count = count }
    }

    /// The most epochs a state may have completed (a decoded state is refused beyond it,
    /// and closing an epoch at it is refused), far beyond any real run.
    public static let maximumEpochs = 1_000_000_000
    /// The most rows (or skipped rows) one epoch may count: 2^62, so adding rows never overflows.
    public static let maximumRows: Int64 = 1 << 62
    /// The most buffers one epoch may have shuffled: 2^62.
    public static let maximumBuffers = 1 << 62

    /// A fresh linear-family state: zero weights, no epoch run yet.
    public static func initial(
        kind: ModelKind, featureCount: Int, classValues: [Double], parameters: TrainingParameters,
        bufferCapacity: Int, bufferMode: BufferMode
    ) -> TrainerSnapshot? {
        guard let linear = LinearModel(kind: kind, featureCount: featureCount,
                                       hasIntercept: parameters.intercept, classValues: classValues)
        else { return nil }
        return initial(model: .linear(linear), parameters: parameters, bufferCapacity: bufferCapacity,
                       bufferMode: bufferMode)
    }

    /// A fresh state of `family`: zero weights (linear family) or a network initialized
    /// from `parameters.seed`, with `inputShift`/`inputScale` as its standardization.
    public static func initial(
        family: ModelFamily, featureCount: Int, classValues: [Double], parameters: TrainingParameters,
        bufferCapacity: Int, bufferMode: BufferMode, inputShift: [Double]? = nil, inputScale: [Double]? = nil
    ) -> TrainerSnapshot? {
        guard family.isNetwork else {
            return initial(kind: family.objective, featureCount: featureCount, classValues: classValues,
                           parameters: parameters, bufferCapacity: bufferCapacity, bufferMode: bufferMode)
        }
        guard let network = MultilayerPerceptron(
            kind: family.objective, featureCount: featureCount, hidden: parameters.hiddenLayers,
            activation: parameters.activation, classValues: classValues, inputShift: inputShift,
            inputScale: inputScale, seed: UInt64(bitPattern: parameters.seed))
        else { return nil }
        return initial(model: .network(network), parameters: parameters, bufferCapacity: bufferCapacity,
                       bufferMode: bufferMode)
    }

    static func initial(model: TrainedModel, parameters: TrainingParameters, bufferCapacity: Int,
                        bufferMode: BufferMode) -> TrainerSnapshot? {
        guard bufferCapacity >= 1, bufferCapacity <= SGDTrainer.maximumBufferRows else { return nil }
        return TrainerSnapshot(
            model: model, parameters: parameters, bufferCapacity: bufferCapacity,
            bufferMode: bufferMode, epochsCompleted: 0, buffersThisEpoch: 0,
            current: EpochStatistics(), lastEpoch: EpochStatistics(), l1Total: 0, l1Applied: nil,
            averaging: parameters.average ? AveragingState(iterate: model, count: 0) : nil,
            optimizerState: parameters.optimizer == .sgd ? nil : OptimizerState())
    }
}

extension TrainerSnapshot {
    /// Megabytes a learner for this state allocates besides the tuple buffers: the
    /// parameters, their gradient, the running mean, the optimizer's state, and for the
    /// general learner one mini-batch of inputs, scores and the network's workspace. With
    /// ``SGDTrainer/doubleBufferMegabytes(rows:featureCount:)`` it is what
    /// `max_buffer_mb` and `corgi.max_buffer_mb` cap. Float64 arithmetic: no overflow.
    public var learnerMegabytes: Double {
        let p = Double(model.parameterCount), n = Double(model.featureCount), k = Double(model.outputs)
        var copies = 2.0                                  // iterate and gradient
        if parameters.average { copies += 1 }
        switch parameters.optimizer {
        case .sgd: copies += parameters.l1 > 0 ? 1 : 0
        case .momentum: copies += 1
        case .adam: copies += 2
        }
        var doubles = p * copies
        let batch = Double(max(1, parameters.batchSize))
        if model.network != nil || parameters.optimizer != .sgd || parameters.batchSize > 1 {
            doubles += batch * (n + 1 + 2 * k)
        }
        if let network = model.network {
            let widths = network.widths.map(Double.init)
            let workspace = batch * (n + widths.dropFirst().dropLast().reduce(0, +)) + 2 * batch * (widths.max() ?? 1)
            // The workspace, and float32 copies (half a double each) of the parameters, the
            // gradient, the batch, its scores and dScores and the workspace.
            doubles += workspace + (2 * p + batch * (n + 2 * k) + workspace) / 2
        }
        return doubles * 8 / 1_048_576
    }

    /// The family the model belongs to (its SQL name).
    public var family: ModelFamily {
        switch model {
        case .linear(let m):
            switch m.kind {
            case .linear: return .linear
            case .logistic: return .logistic
            case .svm: return .svm
            case .softmax: return .softmax
            }
        case .network(let m): return m.kind == .softmax ? .mlp : .mlpRegression
        }
    }

    /// The learning rate of the epoch in progress.
    public var learningRate: Double { parameters.learningRate(epoch: epochsCompleted) }

    /// The seed of the epoch in progress's block order (the REPEATABLE value).
    public var blockOrderSeed: Double {
        SeedDerivation.blockOrderSeed(runSeed: parameters.seed, epoch: epochsCompleted)
    }

    /// The same state with the epoch in progress closed, as ``SGDTrainer/endEpoch()``
    /// does: its statistics become the last epoch's and the learning rate decays.
    /// Nil when the state has already completed ``maximumEpochs``.
    public func endingEpoch() -> TrainerSnapshot? {
        guard epochsCompleted < TrainerSnapshot.maximumEpochs else { return nil }
        var next = self
        next.lastEpoch = current
        next.current = EpochStatistics()
        next.epochsCompleted += 1
        next.buffersThisEpoch = 0
        return next
    }
}

extension SGDTrainer {
    /// The trainer's state, or nil while rows are buffered or a mini-batch is partial.
    public var snapshot: TrainerSnapshot? {
        guard !isTraining, bufferedRows == 0, pendingBatchRows == 0 else { return nil }
        let l1 = l1State
        return TrainerSnapshot(
            model: model, parameters: parameters, bufferCapacity: bufferCapacity,
            bufferMode: bufferMode, epochsCompleted: epochsCompleted,
            buffersThisEpoch: buffersInEpoch, current: epochStatistics, lastEpoch: lastEpoch,
            l1Total: l1.total, l1Applied: l1.applied, averaging: averagingState, optimizerState: optimizerMoments)
    }

    /// A trainer that continues from `snapshot` (allocates its buffer, two when
    /// `concurrent`: then a worker thread trains one while the caller fills the other).
    /// `previous`: a trainer this one may take the tuple buffer (and worker) of, when
    /// the shapes match (model hopping); it must not train any more afterwards.
    /// `sharedWorker`: train full buffers on that thread, shared with the other trainers
    /// given it (the groups of a grouped pass), in submission order.
    public static func make(from snapshot: TrainerSnapshot, concurrent: Bool = false,
                            reusing previous: SGDTrainer? = nil,
                            sharedWorker: SharedTrainingWorker? = nil) -> Result<SGDTrainer, Failure> {
        make(model: snapshot.model, parameters: snapshot.parameters,
             bufferCapacity: snapshot.bufferCapacity, bufferMode: snapshot.bufferMode,
             epochsCompleted: snapshot.epochsCompleted, buffersThisEpoch: snapshot.buffersThisEpoch,
             current: snapshot.current, lastEpoch: snapshot.lastEpoch,
             l1Total: snapshot.l1Total, l1Applied: snapshot.l1Applied, averaging: snapshot.averaging,
             optimizerState: snapshot.optimizerState, concurrent: concurrent, reusing: previous,
             sharedWorker: sharedWorker)
    }
}
