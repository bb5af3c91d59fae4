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
        guard var linear = LinearModel(kind: kind, featureCount: featureCount,
                                       hasIntercept: parameters.intercept, classValues: classValues)
        else { return nil }
        if kind == .svr { linear.lossMargin = parameters.svrEpsilon }
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
    /// Megabytes training this state allocates besides the tuple buffers
    /// (``learnerMegabytes(parameterCount:featureCount:outputs:widths:parameters:)`` of its
    /// shape). With ``SGDTrainer/doubleBufferMegabytes(rows:featureCount:)`` it is what
    /// `max_buffer_mb` and `corgi.max_buffer_mb` cap.
    public var learnerMegabytes: Double {
        TrainerSnapshot.learnerMegabytes(parameterCount: model.parameterCount, featureCount: model.featureCount,
                                         outputs: model.outputs, widths: model.network?.widths, parameters: parameters)
    }

    /// How many serialized states' worth of memory one training call holds at its peak,
    /// measured (test/memory: the peak resident memory of corgi.train grows by 11.7 MB
    /// per MB of state): the state it was given and its decoded snapshot beside the
    /// learner's copies, the state it makes, that one's copy into a `bytea`, and the
    /// copies the SQL drivers keep of the states they pass between epochs. Part of
    /// ``learnerMegabytes(parameterCount:featureCount:outputs:widths:parameters:)``.
    public static let stateCopies = 12.0

    /// Bytes a trainer takes whatever its shape, measured (test/memory: grouped training
    /// of 100,000 and 200,000 groups of a 2-feature logistic model): its objects, its
    /// arrays' headers and its tuple buffer's bookkeeping. It matters for grouped training,
    /// where one pass holds a trainer per group. Part of
    /// ``learnerMegabytes(parameterCount:featureCount:outputs:widths:parameters:)``.
    public static let trainerOverheadBytes = 4096.0

    /// Megabytes of one serialized state of this shape: the parameters, the averaged
    /// iterate, the optimizer's velocity or moments (or the L1 penalties applied), and
    /// the network's standardization.
    public static func stateMegabytes(parameterCount: Int, featureCount: Int, widths: [Int]?,
                                      parameters: TrainingParameters) -> Double {
        let p = Double(parameterCount)
        var copies = 1.0
        if parameters.average { copies += 1 }
        switch parameters.optimizer {
        case .sgd: copies += parameters.l1 > 0 ? 1 : 0
        case .momentum: copies += 1
        case .adam: copies += 2
        }
        let standardization = widths == nil ? 0 : 2 * Double(featureCount)
        return (p * copies + standardization) * 8 / 1_048_576
    }

    /// Megabytes that training a model of this shape allocates besides the tuple buffers,
    /// computed from the shape alone (nothing is allocated: a state is created, or a
    /// claimed shape refused, only after this fits the cap): the parameters and their
    /// gradient, the running mean, the optimizer's state, for the general learner one
    /// mini-batch of inputs, scores and the network's workspace (with float32 copies),
    /// the trainer's own objects (``trainerOverheadBytes``), and ``stateCopies`` serialized states
    /// (``stateMegabytes(parameterCount:featureCount:widths:parameters:)``). Float64
    /// arithmetic: no overflow.
    public static func learnerMegabytes(parameterCount: Int, featureCount: Int, outputs: Int, widths: [Int]?,
                                        parameters: TrainingParameters) -> Double {
        let p = Double(parameterCount), n = Double(featureCount), k = Double(outputs)
        var copies = 2.0                                  // iterate and gradient
        if parameters.average { copies += 1 }
        switch parameters.optimizer {
        case .sgd: copies += parameters.l1 > 0 ? 1 : 0
        case .momentum: copies += 1
        case .adam: copies += 2
        }
        var doubles = p * copies
        let batch = Double(max(1, parameters.batchSize))
        if widths != nil || parameters.optimizer != .sgd || parameters.batchSize > 1 {
            doubles += batch * (n + 1 + 2 * k)
        }
        if let widths {
            let w = widths.map(Double.init)
            let workspace = batch * (n + w.dropFirst().dropLast().reduce(0, +)) + 2 * batch * (w.max() ?? 1)
            // The workspace, and float32 copies (half a double each) of the parameters, the
            // gradient, the batch, its scores and dScores and the workspace.
            doubles += workspace + (2 * p + batch * (n + 2 * k) + workspace) / 2
        }
        return (doubles * 8 + trainerOverheadBytes) / 1_048_576
            + stateCopies * stateMegabytes(parameterCount: parameterCount, featureCount: featureCount, widths: widths,
                                           parameters: parameters)
    }

    /// The parameter count and ``learnerMegabytes(parameterCount:featureCount:outputs:widths:parameters:)``
    /// of a fresh `family` model before it exists; nil for a shape no model can have (too
    /// many weights, or an overflow).
    public static func plannedLearner(family: ModelFamily, featureCount: Int, classCount: Int,
                                      parameters: TrainingParameters) -> (parameterCount: Int, megabytes: Double)? {
        let outputs = family.objective == .softmax ? classCount : 1
        guard featureCount >= 1, outputs >= 1 else { return nil }
        if family.isNetwork {
            let widths = [featureCount] + parameters.hiddenLayers + [outputs]
            guard let count = MultilayerPerceptron.parameterCount(widths: widths) else { return nil }
            return (count, learnerMegabytes(parameterCount: count, featureCount: featureCount, outputs: outputs,
                                            widths: widths, parameters: parameters))
        }
        let (weights, overflow) = featureCount.multipliedReportingOverflow(by: outputs)
        guard !overflow, weights <= LinearModel.maximumWeights else { return nil }
        return (weights + outputs, learnerMegabytes(parameterCount: weights + outputs, featureCount: featureCount,
                                                    outputs: outputs, widths: nil, parameters: parameters))
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
            case .svr: return .svr
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
