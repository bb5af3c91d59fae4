
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of one epoch: rows trained, rows skipped (NULL label or features), and
/// the sum of each trained row's loss computed *before* its update (progressive loss,
/// which costs no extra pass).
public struct EpochStatistics: Equatable, Sendable {
    public var rows: Int64 = 0
    public var skipped: Int64 = 0
    public var lossSum: Double = 0
    public init() {}
    public init(rows: Int64, skipped: Int64, lossSum: Double) {
        self.rows = rows; self.skipped = skipped; self.lossSum = lossSum
    }
    /// `lossSum / rows`, or NaN before any row.
    public var meanLoss: Double { rows > 0 ? lossSum / Double(rows) : .nan }
}

/// Why a row was refused.
public enum RowFailure: Error, Equatable, Sendable {
    case wrongFeatureCount(got: Int, expected: Int)
    case nonFiniteFeature(index: Int, value: Double)
    case invalidLabel(value: Double)

    /// A lower-case description naming the value (the caller adds which row).
    public var message: String {
        switch self {
        case .wrongFeatureCount(let got, let expected):
            return "has \(got) features, expected \(expected)"
        case .nonFiniteFeature(let index, let value):
            return "has feature \(index + 1) = \(NumberFormat.sql(value))"
        case .invalidLabel(let value):
            return "has label \(NumberFormat.sql(value))"
        }
    }
}

/// CorgiPile's trainer: a ``TupleBuffer`` (block arrivals, fresh shuffles, streaming
/// baselines, the worker hand-off) feeding a ``LinearLearner`` (the model and its update
/// rule), with the checks every row passes before it is buffered and the epoch count
/// both share. This is the type the C glue drives.
///
/// Use: ``add(features:label:)`` each row; when it answers `bufferFull`, call
/// ``advance()`` (or ``trainStep(maxRows:)``) until it returns false; at the end of a
/// pass call ``finishPass()`` and drain again; after the last pass of an epoch call
/// ``endEpoch()``. Work is cut into steps so the caller can check for interrupts between
/// them.
///
/// Contract: see ``TupleBuffer`` (order, seeds, worker) and ``LinearLearner``
/// (arithmetic, learning rate, penalties, averaging). Rows with a NaN/Inf feature, a
/// wrong feature count or an invalid label are refused (``RowFailure``), never trained
/// on. Never traps.
public final class SGDTrainer {
    public let parameters: TrainingParameters
    public let kind: ModelKind
    public let featureCount: Int
    public let outputs: Int
    public let classValues: [Double]
    public let bufferCapacity: Int
    public let bufferMode: BufferMode
    /// Whether full buffers are Fisher-Yates shuffled (CorgiPile's tuple shuffle).
    public var shufflesBuffer: Bool { bufferMode == .shuffle }
    /// Whether a worker thread trains one buffer while the caller fills the other.
    public var concurrent: Bool { buffer.concurrent }

    let learner: any RowLearner
    let buffer: TupleBuffer
    /// A fused visit's other models (``make(fusing:concurrent:reusing:)``), trained on
    /// this trainer's buffer after the lead on the same rows; empty for one model.
    var passengers: [FusedPassenger] = []
    /// A fused visit's consumer of the buffer (which holds it unowned): kept alive here.
    var fanOut: FanOutLearner?
    /// False once a later trainer took the buffer over (``make(from:concurrent:reusing:)``):
    /// this trainer must not be used for training any more, and no longer stops its worker.
    private var ownsBuffer = true

    public private(set) var lastEpoch = EpochStatistics()
    // Rows skipped (NULL label or features): counted by the backend thread.
    var skippedRows: Int64 = 0
    // A fused visit: the lead's skipped count when the visit began.
    var skippedBefore: Int64 = 0

    /// Why a trainer could not be made.
    public enum Failure: Error, Equatable, Sendable {
        case invalidShape(String)
        case outOfMemory(bytes: Int)
    }

    /// Worker threads started and not yet joined in this process (a diagnostic: 0 whenever
    /// no trainer is alive or every trainer was shut down).
    public static var liveWorkerThreads: Int { TrainingWorker.liveThreads }

    /// The largest buffer: 2^26 rows.
    public static let maximumBufferRows = 1 << 26

    /// Bytes of buffer per row: features, target and permutation slot.
    public static func bufferBytesPerRow(featureCount: Int) -> Int { featureCount * 8 + 8 + 4 }

    /// Megabytes (2^20 bytes) of the two buffers a trainer of `rows` rows may allocate
    /// (double buffering), the quantity `max_buffer_mb` and `corgi.max_buffer_mb` cap.
    /// In floating point, so no row or feature count can overflow it.
    public static func doubleBufferMegabytes(rows: Int64, featureCount: Int64) -> Double {
        2 * Double(rows) * (Double(featureCount) * 8 + 12) / 1_048_576
    }

    /// A fresh trainer with zero weights.
    public static func make(
        kind: ModelKind, featureCount: Int, classValues: [Double], parameters: TrainingParameters,
        bufferCapacity: Int, shufflesBuffer: Bool, concurrent: Bool = false
    ) -> Result<SGDTrainer, Failure> {
        make(kind: kind, featureCount: featureCount, classValues: classValues, parameters: parameters,
             bufferCapacity: bufferCapacity, bufferMode: shufflesBuffer ? .shuffle : .arrivalOrder,
             concurrent: concurrent)
    }

    /// A fresh trainer with zero weights. Streaming modes never use a worker thread.
    public static func make(
        kind: ModelKind, featureCount: Int, classValues: [Double], parameters: TrainingParameters,
        bufferCapacity: Int, bufferMode: BufferMode, concurrent: Bool = false
    ) -> Result<SGDTrainer, Failure> {
        guard var linear = LinearModel(kind: kind, featureCount: featureCount,
                                       hasIntercept: parameters.intercept, classValues: classValues)
        else {
            return .failure(.invalidShape("a \(kind.name) model with \(featureCount) features and \(classValues.count) classes is not valid"))
        }
        if kind == .svr { linear.lossMargin = parameters.svrEpsilon }
        let model = TrainedModel.linear(linear)
        return make(model: model, parameters: parameters, bufferCapacity: bufferCapacity,
                    bufferMode: bufferMode, epochsCompleted: 0, lastEpoch: EpochStatistics(),
                    l1Total: 0, l1Applied: nil,
                    averaging: parameters.average ? TrainerSnapshot.AveragingState(iterate: model, count: 0) : nil,
                    concurrent: concurrent)
    }

    static func make(
        model: TrainedModel, parameters: TrainingParameters, bufferCapacity: Int, bufferMode: BufferMode,
        epochsCompleted: Int, buffersThisEpoch: Int = 0, current: EpochStatistics = EpochStatistics(),
        lastEpoch: EpochStatistics, l1Total: Double, l1Applied: [Double]?,
        averaging: TrainerSnapshot.AveragingState?, optimizerState: OptimizerState? = nil, concurrent: Bool = false,
        reusing previous: SGDTrainer? = nil, sharedWorker: SharedTrainingWorker? = nil
    ) -> Result<SGDTrainer, Failure> {
        guard bufferCapacity >= 1, bufferCapacity <= maximumBufferRows else {
            return .failure(.invalidShape("a buffer of \(bufferCapacity) rows is not between 1 and \(maximumBufferRows)"))
        }
        let n = model.featureCount
        if parameters.average, let averaging, averaging.iterate.layers != model.layers {
            return .failure(.invalidShape("the averaged iterate does not have the model's shape"))
        }
        let learner: any RowLearner
        switch makeLearner(model: model, parameters: parameters, epochsCompleted: epochsCompleted, current: current,
                           l1Total: l1Total, l1Applied: l1Applied, averaging: averaging, optimizerState: optimizerState) {
        case .success(let made): learner = made
        case .failure(let failure): return .failure(failure)
        }
        // A model hopping onto this process takes over the previous model's buffer (and
        // its worker thread) when the shapes match: no memory is freed and allocated per
        // hop. The buffer is idle and empty between hops, so the result is the same.
        if let previous, previous.ownsBuffer, previous.buffer.capacity == bufferCapacity,
           previous.buffer.featureCount == n, previous.buffer.mode == bufferMode,
           previous.buffer.memoryStepProbability == parameters.bufferFraction,
           previous.buffer.rebind(to: learner, epoch: epochsCompleted, buffersThisEpoch: buffersThisEpoch,
                                  seed: parameters.seed) {
            previous.ownsBuffer = false
            let trainer = SGDTrainer(parameters: parameters, model: model, bufferCapacity: bufferCapacity,
                                     bufferMode: bufferMode, learner: learner, buffer: previous.buffer)
            trainer.lastEpoch = lastEpoch
            trainer.skippedRows = current.skipped
            return .success(trainer)
        }
        guard let buffer = TupleBuffer(
            capacity: bufferCapacity, featureCount: n, mode: bufferMode, runSeed: parameters.seed,
            bufferFraction: parameters.bufferFraction, epoch: epochsCompleted, buffersThisEpoch: buffersThisEpoch,
            concurrent: concurrent, learner: learner, sharedWorker: sharedWorker?.worker)
        else {
            let slots = concurrent && !bufferMode.isStreaming ? 2 : 1
            return .failure(.outOfMemory(bytes: slots &* bufferCapacity &* bufferBytesPerRow(featureCount: n)))
        }
        let trainer = SGDTrainer(parameters: parameters, model: model, bufferCapacity: bufferCapacity,
                                 bufferMode: bufferMode, learner: learner, buffer: buffer)
        trainer.lastEpoch = lastEpoch
        trainer.skippedRows = current.skipped
        return .success(trainer)
    }

    /// The learner of `model` with its update rule, continuing from the given bookkeeping:
    /// the linear family with plain SGD keeps its row-by-row path (pinned to 0.1.0); other
    /// optimizers, and networks, go through the general learner.
    static func makeLearner(
        model: TrainedModel, parameters: TrainingParameters, epochsCompleted: Int, current: EpochStatistics,
        l1Total: Double, l1Applied: [Double]?, averaging: TrainerSnapshot.AveragingState?,
        optimizerState: OptimizerState?
    ) -> Result<any RowLearner, Failure> {
        let progress = EpochStatistics(rows: current.rows, skipped: 0, lossSum: current.lossSum)
        let iterate = parameters.average ? averaging?.iterate : nil
        // The linear family with plain SGD keeps its row-by-row path (pinned to 0.1.0);
        // other optimizers, and networks, go through the general learner.
        if let weights = parameters.classWeights {
            let classes = model.outputs == 1 ? 2 : model.outputs
            guard model.kind.isClassifier, model.network == nil, weights.count == classes else {
                return .failure(.invalidShape("class_weight has \(weights.count) weights, the model has \(model.kind.isClassifier ? classes : 0) classes"))
            }
        }
        let learner: (any RowLearner)?
        var penalized = 0
        switch model {
        case .linear(let linear) where parameters.optimizer == .sgd:
            learner = LinearLearner(model: linear, parameters: parameters, epochsCompleted: epochsCompleted,
                                    current: progress, l1Total: l1Total, l1Applied: l1Applied, averaging: averaging)
        case .linear(let linear):
            penalized = linear.penalizedCount
            learner = BatchLearner(model: linear, iterate: iterate?.linearModel, parameters: parameters,
                                   epochsCompleted: epochsCompleted, current: progress,
                                   averageCount: averaging?.count ?? 0, optimizerState: optimizerState)
        case .network(let network):
            penalized = network.penalizedCount
            let sgdState = OptimizerState(steps: 0, l1Total: l1Total, first: l1Applied ?? [], second: [])
            learner = BatchLearner(model: network, iterate: iterate?.network, parameters: parameters,
                                   epochsCompleted: epochsCompleted, current: progress,
                                   averageCount: averaging?.count ?? 0,
                                   optimizerState: parameters.optimizer == .sgd ? sgdState : optimizerState)
        }
        guard let learner else {
            if parameters.optimizer != .sgd, let optimizerState,
               makeOptimizer(parameters, parameterCount: model.parameterCount, penalizedCount: penalized,
                             state: optimizerState) == nil {
                return .failure(.invalidShape("the \(parameters.optimizer.name) state does not have the model's shape"))
            }
            return .failure(.outOfMemory(bytes: model.parameterCount * 40))
        }
        return .success(learner)
    }

    private init(parameters: TrainingParameters, model: TrainedModel, bufferCapacity: Int, bufferMode: BufferMode,
                 learner: any RowLearner, buffer: TupleBuffer) {
        self.parameters = parameters
        self.kind = model.kind
        self.featureCount = model.featureCount
        self.outputs = model.outputs
        self.classValues = model.classValues
        self.bufferCapacity = bufferCapacity
        self.bufferMode = bufferMode
        self.learner = learner
        self.buffer = buffer
    }

    deinit { shutdown() }

    /// Stops the worker thread (its job ends at the next check, within about a
    /// millisecond) and joins it, then gives back the backend's worker slot. Called when
    /// the glue releases the trainer (normal end, ERROR, cancel), so no thread outlives
    /// the statement whatever else holds a reference. Idempotent; the trainer must not
    /// be used for training afterwards.
    public func shutdown() { if ownsBuffer { buffer.shutdown() } }

    /// Epochs closed so far.
    public var epochsCompleted: Int { learner.epochsCompleted }

    /// The epoch in progress as the learner counts it (rows trained, loss; skipped rows
    /// are in ``epochStatistics``).
    public var current: EpochStatistics { learner.current }

    /// The learning rate of the epoch in progress: `learning_rate * decay^epochsCompleted`.
    public var learningRate: Double { learner.learningRate }

    /// The model as it stands (copies the weights): with averaging, the mean of the
    /// epoch's iterates once the epoch has had an update (else the iterate).
    public var model: TrainedModel { learner.model }

    /// The SGD iterate (the model itself when not averaging).
    public var iterate: TrainedModel { learner.iterate }

    /// Averaging bookkeeping for a snapshot (nil when not averaging).
    var averagingState: TrainerSnapshot.AveragingState? { learner.averagingState }

    /// SGD's L1 bookkeeping (for serialization): total penalty so far and per weight applied.
    var l1State: (total: Double, applied: [Double]?) {
        guard parameters.optimizer == .sgd else { return (0, nil) }
        let state = learner.optimizerState
        return (state.l1Total, state.first.isEmpty ? nil : state.first)
    }

    /// Momentum's or Adam's state (for serialization); nil with plain SGD.
    var optimizerMoments: OptimizerState? {
        parameters.optimizer == .sgd ? nil : learner.optimizerState
    }

    /// Buffers shuffled so far in the epoch in progress.
    var buffersInEpoch: Int { buffer.buffersThisEpoch }

    /// Rows in a partial mini-batch not yet applied.
    var pendingBatchRows: Int { learner.pendingBatchRows }

    /// Rows buffered and not yet trained (0 whenever the trainer is idle).
    public var bufferedRows: Int { buffer.bufferedRows }

    /// True while the trainer has work under way: call ``advance()`` until it answers false.
    public var isTraining: Bool { buffer.isTraining }

    /// Encodes a raw label as the training target: the value (linear), +1/-1 (logistic,
    /// svm: 1 is positive, 0 and -1 negative), or the class index (softmax).
    public func target(forLabel label: Double) -> Double? {
        kind.target(forLabel: label, classValues: classValues)
    }

    public enum AddOutcome: Equatable, Sendable { case accepted, bufferFull }

    /// Buffers one row. When the buffer becomes full, answers `bufferFull`: call
    /// ``advance()`` until it returns false before adding more (adding meanwhile is
    /// refused with `bufferFull` and changes nothing).
    public func add(features: UnsafeBufferPointer<Double>, label: Double) -> Result<AddOutcome, RowFailure> {
        guard buffer.acceptsRows else { return .success(.bufferFull) }
        switch checkedTarget(features: features, label: label) {
        case .success(let target): return .success(buffer.add(features, target: target) ? .bufferFull : .accepted)
        case .failure(let failure): return .failure(failure)
        }
    }

    /// The checks every row passes before it is buffered: the width, the label (as
    /// ``target(forLabel:)`` encodes it) and finite features; the row's target, or why
    /// it is refused. Depends only on ``kind``, ``featureCount`` and ``classValues``.
    @inline(__always)
    func checkedTarget(features: UnsafeBufferPointer<Double>, label: Double) -> Result<Double, RowFailure> {
        guard features.count == featureCount else {
            return .failure(.wrongFeatureCount(got: features.count, expected: featureCount))
        }
        guard let target = target(forLabel: label) else { return .failure(.invalidLabel(value: label)) }
        if let i = FiniteCheck.firstNonFinite(features) {
            return .failure(.nonFiniteFeature(index: i, value: features[i]))
        }
        return .success(target)
    }

    /// The tuple buffer's fill slot for a ``GroupRowFeeder`` (see ``TupleBuffer/openFill()``).
    func openFill() -> TupleBuffer.FillWindow? { buffer.openFill() }

    /// Records the rows a ``GroupRowFeeder`` wrote (see ``TupleBuffer/commitFill(rows:)``).
    func commitFill(rows: Int) -> Bool { buffer.commitFill(rows: rows) }

    /// Counts a row skipped for a NULL label or NULL features.
    public func skip() { skippedRows &+= 1 }

    /// Counts `count` such rows (a ``GroupRowStager`` counts a pass's and hands them over).
    public func skip(count: Int) { skippedRows &+= Int64(count) }

    /// Whether full buffers go to a worker thread (two slots) rather than train inline.
    public var isConcurrent: Bool { buffer.concurrent }

    /// Ends a pass over the data: the partial buffer is trained, then any partial
    /// mini-batch is applied. Call ``advance()`` until it returns false afterwards.
    public func finishPass() { buffer.finishPass() }

    /// Does a bounded amount of the pending work (a few milliseconds: training rows
    /// inline, or waiting for the worker); returns true while work remains. Between calls
    /// the caller may check for interrupts.
    public func advance() -> Bool { buffer.advance() }

    /// Synchronous mode: trains up to `maxRows` buffered rows inline; returns true while
    /// rows remain. (In concurrent mode it is ``advance()``.)
    public func trainStep(maxRows: Int) -> Bool { buffer.trainStep(maxRows: maxRows) }

    /// Closes the epoch in progress: its statistics become ``lastEpoch`` and the
    /// learning rate decays. Call after ``finishPass()`` has been drained.
    /// Returns false (and changes nothing) when the trainer is busy or has already
    /// completed ``TrainerSnapshot/maximumEpochs``.
    @discardableResult
    public func endEpoch() -> Bool {
        guard !isTraining, bufferedRows == 0, epochsCompleted < TrainerSnapshot.maximumEpochs else { return false }
        lastEpoch = epochStatistics
        for i in passengers.indices {
            passengers[i].lastEpoch = passengerStatistics(i)
            passengers[i].learner.current = EpochStatistics()
            passengers[i].learner.epochsCompleted += 1
            passengers[i].skippedBefore = 0
        }
        learner.current = EpochStatistics()
        skippedRows = 0
        skippedBefore = 0
        learner.epochsCompleted += 1
        buffer.endEpoch(next: learner.epochsCompleted)
        return true
    }

    /// The epoch in progress: rows trained, rows skipped, loss. Valid while idle.
    public var epochStatistics: EpochStatistics {
        EpochStatistics(rows: current.rows, skipped: skippedRows, lossSum: current.lossSum)
    }
}
