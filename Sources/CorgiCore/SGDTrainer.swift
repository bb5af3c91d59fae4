import CorgiKernels
import Synchronization

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

/// CorgiPile's consumer: a tuple buffer that is shuffled afresh every time it fills,
/// then fed to SGD; the training state of one model between and during passes.
///
/// Use: ``add(features:label:)`` each row; when it answers `bufferFull`, call
/// ``trainStep(maxRows:)`` until it returns false; at the end of a pass call
/// ``finishPass()`` and drain ``trainStep(maxRows:)`` again; after the last pass of an
/// epoch call ``endEpoch()``. Work is cut into steps so the caller can check for
/// interrupts between them.
///
/// Contract:
/// - float64 arithmetic in a fixed order: a run is bit-for-bit reproducible from the
///   same rows in the same order and the same parameters.
/// - Buffer `b` of epoch `e` is shuffled with a fresh Fisher-Yates permutation seeded by
///   ``SeedDerivation/bufferSeed(runSeed:epoch:buffer:)`` (never reused) in mode
///   `shuffle`; `arrivalOrder` trains rows as they arrive; the streaming modes follow
///   ``StreamingOrder`` (sliding window, MRS) and flush what they hold, shuffled, at the
///   end of a pass. See ``BufferMode``.
/// - Learning rate of epoch `e` (0-based): `learning_rate * decay^e`.
/// - Mini-batches (`batch_size > 1`) average the gradients of `batch_size` rows; a
///   partial batch is applied at the end of each pass.
/// - L2: weight decay `w *= 1 - lr*l2` per update (intercepts excluded); skipped when 0.
/// - L1: Tsuruoka et al.'s cumulative penalty, applied only to the coordinates a row
///   touches (non-zero features), so it costs O(non-zeros) per update and nothing when 0.
/// - Averaging (`average=true`): after every update (row, or mini-batch) the running
///   mean of the epoch's iterates moves by `(w - mean) / count`; the mean restarts at
///   the epoch's first update. ``model`` is the mean, training continues from the
///   iterate. With L1 the iterates averaged are those of the lazy penalty (coordinates
///   a row does not touch carry their penalty until touched).
/// - Rows with a NaN/Inf feature, a wrong feature count or an invalid label are refused
///   (``RowFailure``), never trained on. Never traps.
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

    // Hot-loop copies of the parameters: reading `parameters` (which holds a String)
    // would retain and release it on every row.
    private let l2: Double
    private let l1: Double
    private let batchSize: Int
    private let trainsIntercept: Bool
    private let memoryStepProbability: Double
    // Streaming modes: the decisions of the pass in progress.
    private var stream: StreamingOrder?

    public private(set) var epochsCompleted: Int
    public private(set) var current = EpochStatistics()
    public private(set) var lastEpoch = EpochStatistics()
    private var buffersThisEpoch = 0

    private let weights: UnsafeMutablePointer<Double>      // outputs * featureCount
    private let intercepts: UnsafeMutablePointer<Double>   // outputs
    private let l1Applied: UnsafeMutablePointer<Double>?   // outputs * featureCount, when l1 > 0
    private var l1Total = 0.0
    private let batchGradient: UnsafeMutablePointer<Double>?  // when batch_size > 1
    private let batchInterceptGradient: UnsafeMutablePointer<Double>?
    private let batchTouched: UnsafeMutablePointer<Bool>?
    private var batchCount = 0
    private let scores: UnsafeMutablePointer<Double>
    private let gradient: UnsafeMutablePointer<Double>
    // Averaging: the running mean of the epoch's iterates, and how many it holds.
    private let averageWeights: UnsafeMutablePointer<Double>?   // outputs * featureCount
    private let averageIntercepts: UnsafeMutablePointer<Double>?  // outputs
    private var averageCount: Int64 = 0
    private var restartAverage = false

    // Buffer slots: one in synchronous mode; two when concurrent (the backend fills one
    // while the worker trains the other). Per slot: features, targets, permutation, and
    // the row count (owned by whichever thread holds the slot).
    private let slotFeatures: [UnsafeMutablePointer<Double>]
    private let slotTargets: [UnsafeMutablePointer<Double>]
    private let slotOrder: [UnsafeMutablePointer<UInt32>]
    private let slotCounts: UnsafeMutablePointer<Int>
    private var fillSlot = 0 {
        didSet { fillFeatures = slotFeatures[fillSlot]; fillTargets = slotTargets[fillSlot] }
    }
    // The fill slot's storage, cached for the per-row path.
    private var fillFeatures: UnsafeMutablePointer<Double>
    private var fillTargets: UnsafeMutablePointer<Double>
    // Synchronous mode: position in the slot being trained inline.
    private var trainPosition = 0
    private var training = false
    private var flushing = false
    // Concurrent mode.
    public let concurrent: Bool
    private var holdsWorkerSlot = true
    private var worker: TrainingWorker?
    /// Every block of memory the trainer owns, released by deinit.
    private let allocations: [RawAllocation]
    private var awaitingSubmit = false
    private var finishStage = 0     // 0 none, 1 submit the partial buffer, 2 wait for the worker
    // Rows skipped (NULL label or features): counted by the backend thread.
    private var skippedRows: Int64 = 0

    /// Why a trainer could not be made.
    public enum Failure: Error, Equatable, Sendable {
        case invalidShape(String)
        case outOfMemory(bytes: Int)
    }

    /// How many rows ahead ``trainStep(maxRows:)`` prefetches.
    static let prefetchDistance = 8

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
        guard let model = LinearModel(kind: kind, featureCount: featureCount,
                                      hasIntercept: parameters.intercept, classValues: classValues)
        else {
            return .failure(.invalidShape("a \(kind.name) model with \(featureCount) features and \(classValues.count) classes is not valid"))
        }
        return make(model: model, parameters: parameters, bufferCapacity: bufferCapacity,
                    bufferMode: bufferMode, epochsCompleted: 0, lastEpoch: EpochStatistics(),
                    l1Total: 0, l1Applied: nil,
                    averaging: parameters.average ? TrainerSnapshot.AveragingState(iterate: model, count: 0) : nil,
                    concurrent: concurrent)
    }

    static func make(
        model: LinearModel, parameters: TrainingParameters, bufferCapacity: Int, bufferMode: BufferMode,
        epochsCompleted: Int, buffersThisEpoch: Int = 0, current: EpochStatistics = EpochStatistics(),
        lastEpoch: EpochStatistics, l1Total: Double, l1Applied: [Double]?,
        averaging: TrainerSnapshot.AveragingState?, concurrent: Bool = false
    ) -> Result<SGDTrainer, Failure> {
        // Averaging on means a state with the iterate of the same shape as the model.
        let iterate: LinearModel? = parameters.average ? (averaging?.iterate ?? model) : nil
        if let iterate, iterate.weights.count != model.weights.count || iterate.intercepts.count != model.intercepts.count {
            return .failure(.invalidShape("the averaged iterate does not have the model's shape"))
        }
        guard bufferCapacity >= 1, bufferCapacity <= maximumBufferRows else {
            return .failure(.invalidShape("a buffer of \(bufferCapacity) rows is not between 1 and \(maximumBufferRows)"))
        }
        let n = model.featureCount, k = model.outputs
        let (bufferDoubles, overflow) = bufferCapacity.multipliedReportingOverflow(by: n)
        guard !overflow else { return .failure(.outOfMemory(bytes: Int.max)) }
        var allocations: [RawAllocation] = []
        func allocate<T>(_ count: Int, _ type: T.Type) -> UnsafeMutablePointer<T>? {
            let (bytes, overflow) = max(1, count).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
            guard !overflow, let block = RawAllocation.allocate(bytes: bytes) else { return nil }
            let raw = block.pointer
            allocations.append(block)
            return raw.bindMemory(to: T.self, capacity: max(1, count))
        }
        let useL1 = parameters.l1 > 0, useBatch = parameters.batchSize > 1, useAverage = iterate != nil
        // One worker thread per backend: a trainer that cannot have it trains inline
        // (same arithmetic, same result, no overlap).
        let concurrent = concurrent && !bufferMode.isStreaming && TrainingWorker.reserve()
        let slotCount = concurrent ? 2 : 1
        var features: [UnsafeMutablePointer<Double>] = [], targets: [UnsafeMutablePointer<Double>] = []
        var orders: [UnsafeMutablePointer<UInt32>] = []
        for _ in 0..<slotCount {
            guard let bf = allocate(bufferDoubles, Double.self), let bt = allocate(bufferCapacity, Double.self),
                let o = allocate(bufferCapacity, UInt32.self)
            else {
                allocations.forEach { $0.release() }
                if concurrent { TrainingWorker.unreserve() }
                return .failure(.outOfMemory(bytes: slotCount &* bufferCapacity &* bufferBytesPerRow(featureCount: n)))
            }
            features.append(bf); targets.append(bt); orders.append(o)
        }
        guard let w = allocate(n * k, Double.self), let b = allocate(k, Double.self),
            let s = allocate(k, Double.self), let g = allocate(k, Double.self),
            let counts = allocate(slotCount, Int.self)
        else {
            allocations.forEach { $0.release() }
            if concurrent { TrainingWorker.unreserve() }
            return .failure(.outOfMemory(bytes: n * k * 8))
        }
        for i in 0..<slotCount { counts[i] = 0 }
        let q = useL1 ? allocate(n * k, Double.self) : nil
        let bg = useBatch ? allocate(n * k, Double.self) : nil
        let bb = useBatch ? allocate(k, Double.self) : nil
        let touched = useBatch ? allocate(n, Bool.self) : nil
        let aw = useAverage ? allocate(n * k, Double.self) : nil
        let ab = useAverage ? allocate(k, Double.self) : nil
        if (useL1 && q == nil) || (useBatch && (bg == nil || bb == nil || touched == nil))
            || (useAverage && (aw == nil || ab == nil)) {
            allocations.forEach { $0.release() }
            if concurrent { TrainingWorker.unreserve() }
            return .failure(.outOfMemory(bytes: n * k * 16))
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
        let trainer = SGDTrainer(
            parameters: parameters, model: model, bufferCapacity: bufferCapacity,
            bufferMode: bufferMode, epochsCompleted: epochsCompleted, lastEpoch: lastEpoch,
            l1Total: l1Total, weights: w, intercepts: b, l1Applied: q, batchGradient: bg,
            batchInterceptGradient: bb, batchTouched: touched, scores: s, gradient: g,
            averageWeights: aw, averageIntercepts: ab,
            slotFeatures: features, slotTargets: targets, slotOrder: orders, slotCounts: counts,
            concurrent: concurrent, allocations: allocations)
        trainer.buffersThisEpoch = buffersThisEpoch
        trainer.current = EpochStatistics(rows: current.rows, skipped: 0, lossSum: current.lossSum)
        trainer.skippedRows = current.skipped
        trainer.averageCount = max(0, min(averaging?.count ?? 0, TrainerSnapshot.maximumRows))
        return .success(trainer)
    }

    private init(
        parameters: TrainingParameters, model: LinearModel, bufferCapacity: Int, bufferMode: BufferMode,
        epochsCompleted: Int, lastEpoch: EpochStatistics, l1Total: Double,
        weights: UnsafeMutablePointer<Double>, intercepts: UnsafeMutablePointer<Double>,
        l1Applied: UnsafeMutablePointer<Double>?, batchGradient: UnsafeMutablePointer<Double>?,
        batchInterceptGradient: UnsafeMutablePointer<Double>?, batchTouched: UnsafeMutablePointer<Bool>?,
        scores: UnsafeMutablePointer<Double>, gradient: UnsafeMutablePointer<Double>,
        averageWeights: UnsafeMutablePointer<Double>?, averageIntercepts: UnsafeMutablePointer<Double>?,
        slotFeatures: [UnsafeMutablePointer<Double>], slotTargets: [UnsafeMutablePointer<Double>],
        slotOrder: [UnsafeMutablePointer<UInt32>], slotCounts: UnsafeMutablePointer<Int>, concurrent: Bool,
        allocations: [RawAllocation]
    ) {
        self.allocations = allocations
        self.parameters = parameters
        self.kind = model.kind
        self.featureCount = model.featureCount
        self.outputs = model.outputs
        self.classValues = model.classValues
        self.bufferCapacity = bufferCapacity
        self.bufferMode = bufferMode
        self.memoryStepProbability = parameters.bufferFraction
        self.l2 = parameters.l2
        self.l1 = parameters.l1
        self.batchSize = parameters.batchSize
        self.trainsIntercept = parameters.intercept
        self.epochsCompleted = epochsCompleted
        self.lastEpoch = lastEpoch
        self.l1Total = l1Total
        self.weights = weights
        self.intercepts = intercepts
        self.l1Applied = l1Applied
        self.batchGradient = batchGradient
        self.batchInterceptGradient = batchInterceptGradient
        self.batchTouched = batchTouched
        self.scores = scores
        self.gradient = gradient
        self.averageWeights = averageWeights
        self.averageIntercepts = averageIntercepts
        self.slotFeatures = slotFeatures
        self.slotTargets = slotTargets
        self.fillFeatures = slotFeatures[0]
        self.fillTargets = slotTargets[0]
        self.slotOrder = slotOrder
        self.slotCounts = slotCounts
        self.concurrent = concurrent
    }

    deinit {
        shutdown()
        allocations.forEach { $0.release() }
    }

    /// Stops the worker thread (its job ends at the next check, within about a
    /// millisecond) and joins it, then gives back the backend's worker slot. Called when
    /// the glue releases the trainer (normal end, ERROR, cancel), so no thread outlives
    /// the statement whatever else holds a reference. Idempotent; the trainer must not
    /// be used for training afterwards.
    public func shutdown() {
        worker?.stopAndJoin()
        worker = nil
        workerBusy = false
        if concurrent && holdsWorkerSlot {
            TrainingWorker.unreserve()
            holdsWorkerSlot = false
        }
    }

    /// The learning rate of the epoch in progress: `learning_rate * decay^epochsCompleted`.
    public var learningRate: Double { parameters.learningRate(epoch: epochsCompleted) }

    /// The model as it stands (copies the weights): with averaging, the mean of the
    /// epoch's iterates once the epoch has had an update (else the iterate).
    public var model: LinearModel {
        if let averageWeights, let averageIntercepts, averageCount > 0 {
            return copyModel(averageWeights, averageIntercepts)
        }
        return copyModel(weights, intercepts)
    }

    /// The SGD iterate (the model itself when not averaging).
    public var iterate: LinearModel { copyModel(weights, intercepts) }

    /// Averaging bookkeeping for a snapshot (nil when not averaging).
    var averagingState: TrainerSnapshot.AveragingState? {
        guard averageWeights != nil else { return nil }
        return TrainerSnapshot.AveragingState(iterate: iterate, count: averageCount)
    }

    private func copyModel(_ w: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>) -> LinearModel {
        let n = featureCount * outputs
        return LinearModel(kind: kind, featureCount: featureCount, hasIntercept: parameters.intercept,
                           classValues: classValues,
                           weights: (0..<n).map { w[$0] },
                           intercepts: (0..<outputs).map { b[$0] })!
    }

    /// The L1 bookkeeping (for serialization): total penalty so far and per weight applied.
    var l1State: (total: Double, applied: [Double]?) {
        (l1Total, l1Applied.map { q in (0..<(featureCount * outputs)).map { q[$0] } })
    }

    /// Buffers shuffled so far in the epoch in progress.
    var buffersInEpoch: Int { buffersThisEpoch }

    /// Rows in a partial mini-batch not yet applied.
    var pendingBatchRows: Int { batchCount }

    /// Rows buffered and not yet trained (0 whenever the trainer is idle).
    public var bufferedRows: Int {
        var rows = 0
        for slot in 0..<slotFeatures.count { rows += slotCounts[slot] }
        return rows - trainPosition
    }

    /// True while the trainer has work under way: call ``advance()`` until it answers false.
    public var isTraining: Bool { training || awaitingSubmit || finishStage != 0 || workerBusy }
    private var workerBusy = false

    /// Encodes a raw label as the training target: the value (linear), +1/-1 (logistic,
    /// svm: 1 is positive, 0 and -1 negative), or the class index (softmax).
    public func target(forLabel label: Double) -> Double? {
        guard label.isFinite else { return nil }
        switch kind {
        case .linear: return label
        case .logistic, .svm:
            if label == 1 { return 1 }
            if label == 0 || label == -1 { return -1 }
            return nil
        case .softmax:
            var low = 0, high = classValues.count - 1
            while low <= high {
                let mid = (low + high) / 2
                if classValues[mid] == label { return Double(mid) }
                if classValues[mid] < label { low = mid + 1 } else { high = mid - 1 }
            }
            return nil
        }
    }

    public enum AddOutcome: Equatable, Sendable { case accepted, bufferFull }

    /// Buffers one row. When the buffer becomes full, answers `bufferFull`: call
    /// ``advance()`` until it returns false before adding more (adding meanwhile is
    /// refused with `bufferFull` and changes nothing).
    public func add(features: UnsafeBufferPointer<Double>, label: Double) -> Result<AddOutcome, RowFailure> {
        guard !training, !awaitingSubmit, finishStage == 0 else { return .success(.bufferFull) }
        guard features.count == featureCount else {
            return .failure(.wrongFeatureCount(got: features.count, expected: featureCount))
        }
        guard let target = target(forLabel: label) else { return .failure(.invalidLabel(value: label)) }
        for i in 0..<featureCount where !features[i].isFinite {
            return .failure(.nonFiniteFeature(index: i, value: features[i]))
        }
        if bufferMode.isStreaming {
            addStreaming(features, target: target)
            return .success(.accepted)
        }
        let count = slotCounts[fillSlot]
        let destination = fillFeatures + count * featureCount
        for i in 0..<featureCount { destination[i] = features[i] }
        fillTargets[count] = target
        slotCounts[fillSlot] = count + 1
        if count + 1 == bufferCapacity {
            if concurrent {
                awaitingSubmit = true
            } else {
                beginTraining(flush: false)
            }
            return .success(.bufferFull)
        }
        return .success(.accepted)
    }

    /// Counts a row skipped for a NULL label or NULL features.
    public func skip() { skippedRows &+= 1 }

    /// Ends a pass over the data: the partial buffer is trained, then any partial
    /// mini-batch is applied. Call ``advance()`` until it returns false afterwards.
    public func finishPass() {
        if concurrent {
            if finishStage == 0 { finishStage = 1 }
            return
        }
        guard !training else { return }
        stream = nil
        // MRS ends on the dropped-row stream; its reservoir is discarded (StreamingOrder).
        if bufferMode == .reservoir { slotCounts[0] = 0 }
        if slotCounts[0] > 0 {
            beginTraining(flush: true)
        } else {
            applyBatch()
        }
    }

    /// Does a bounded amount of the pending work (a few milliseconds: training rows
    /// inline, or waiting for the worker); returns true while work remains. Between calls
    /// the caller may check for interrupts.
    public func advance() -> Bool {
        guard concurrent else {
            return trainStep(maxRows: max(1, 2_000_000 / max(1, featureCount * outputs)))
        }
        if awaitingSubmit {
            guard waitForWorker() else { return true }
            submitFillSlot()
            awaitingSubmit = false
            return finishStage != 0
        }
        switch finishStage {
        case 1:
            guard waitForWorker() else { return true }
            if slotCounts[fillSlot] > 0 { submitFillSlot() }
            finishStage = 2
            return true
        case 2:
            guard waitForWorker() else { return true }
            applyBatch()
            finishStage = 0
            return false
        default:
            return false
        }
    }

    /// Synchronous mode: trains up to `maxRows` buffered rows inline; returns true while
    /// rows remain. (In concurrent mode it is ``advance()``.)
    public func trainStep(maxRows: Int) -> Bool {
        if concurrent { return advance() }
        guard training else { return false }
        let count = slotCounts[0]
        let end = min(count, trainPosition + max(1, maxRows))
        let lr = learningRate
        trainRows(slot: 0, from: trainPosition, to: end, learningRate: lr, stop: nil)
        trainPosition = end
        if trainPosition == count {
            training = false
            slotCounts[0] = 0
            trainPosition = 0
            if flushing { applyBatch(); flushing = false }
            return false
        }
        return true
    }

    /// Closes the epoch in progress: its statistics become ``lastEpoch`` and the
    /// learning rate decays. Call after ``finishPass()`` has been drained.
    /// Returns false (and changes nothing) when the trainer is busy or has already
    /// completed ``TrainerSnapshot/maximumEpochs``.
    @discardableResult
    public func endEpoch() -> Bool {
        guard !isTraining, bufferedRows == 0, epochsCompleted < TrainerSnapshot.maximumEpochs else { return false }
        lastEpoch = epochStatistics
        current = EpochStatistics()
        skippedRows = 0
        epochsCompleted += 1
        buffersThisEpoch = 0
        return true
    }

    /// The epoch in progress: rows trained, rows skipped, loss. Valid while idle.
    public var epochStatistics: EpochStatistics {
        EpochStatistics(rows: current.rows, skipped: skippedRows, lossSum: current.lossSum)
    }

    // MARK: - Internals

    /// Waits (at most 50 ms) for the worker to finish its buffer; true when idle.
    private func waitForWorker() -> Bool {
        guard let worker, workerBusy else { return true }
        if worker.waitUntilIdle(milliseconds: 50) {
            workerBusy = false
            return true
        }
        return false
    }

    /// Hands the fill slot to the worker and starts filling the other one.
    private func submitFillSlot() {
        let slot = fillSlot
        let seed = SeedDerivation.bufferSeed(runSeed: parameters.seed, epoch: epochsCompleted, buffer: buffersThisEpoch)
        buffersThisEpoch += 1
        let lr = learningRate
        fillSlot = 1 - fillSlot
        if worker == nil { worker = TrainingWorker.make() }
        guard let worker else {
            // No thread could be started: train inline (correct, just not overlapped).
            trainSlot(slot, seed: seed, learningRate: lr, stop: nil)
            return
        }
        workerBusy = true
        // unowned(unsafe): the job must not retain the trainer (its deinit would then run
        // on the worker and join itself), and need not: deinit joins the worker before
        // any memory the job touches is freed, and a job not yet started never runs.
        // The job holds no reference to the trainer: calling a method through an
        // unowned reference would retain it for the call, and the last release (and so
        // deinit) could then happen on the worker. shutdown() joins the worker before
        // any memory the job touches is freed, and a job not yet started never runs.
        let trainer = Unmanaged.passUnretained(self)
        worker.submit { [unowned worker] in
            trainer._withUnsafeGuaranteedRef { $0.trainSlot(slot, seed: seed, learningRate: lr, stop: worker) }
        }
    }

    /// Shuffles (when the trainer shuffles) and trains a whole slot; runs on the worker.
    private func trainSlot(_ slot: Int, seed: UInt64, learningRate lr: Double, stop: TrainingWorker?) {
        let count = slotCounts[slot]
        permute(slot: slot, count: count, seed: seed)
        trainRows(slot: slot, from: 0, to: count, learningRate: lr, stop: stop)
        slotCounts[slot] = 0
    }

    /// Fills the slot's order with 0..<count, Fisher-Yates shuffled when the trainer shuffles.
    private func permute(slot: Int, count: Int, seed: UInt64) {
        let order = slotOrder[slot]
        for i in 0..<count { order[i] = UInt32(truncatingIfNeeded: i) }
        if bufferMode != .arrivalOrder && count > 1 {
            var generator = Xoshiro256StarStar(seed: seed)
            for i in 0..<(count - 1) {
                let j = i + Int(truncatingIfNeeded: generator.next(below: UInt64(count - i)))
                let t = order[i]; order[i] = order[j]; order[j] = t
            }
        }
    }

    /// Trains rows `from..<to` of a slot in its order, prefetching ahead.
    private func trainRows(slot: Int, from: Int, to: Int, learningRate lr: Double, stop: TrainingWorker?) {
        let features = slotFeatures[slot], targets = slotTargets[slot], order = slotOrder[slot]
        let rowBytes = featureCount * MemoryLayout<Double>.stride
        let count = slotCounts[slot]
        var position = from
        while position < to {
            if let stop, position & 1023 == 0, stop.stopRequested.load(ordering: .relaxed) { return }
            // The rows are read in permuted order from a buffer far larger than the
            // cache: ask for the row a few positions ahead while this one trains.
            let ahead = position + SGDTrainer.prefetchDistance
            if ahead < count {
                let next = Int(order[ahead])
                corgi_prefetch(features + next * featureCount, rowBytes)
                corgi_prefetch(targets + next, 8)
            }
            let row = Int(order[position])
            trainRow(features + row * featureCount, target: targets[row], learningRate: lr)
            position += 1
        }
    }

    /// Sliding window or MRS: applies ``StreamingOrder``'s decision for one arriving row.
    private func addStreaming(_ features: UnsafeBufferPointer<Double>, target: Double) {
        if stream == nil {
            let kind: StreamingOrder.Kind = bufferMode == .slidingWindow
                ? .slidingWindow : .reservoir(memoryProbability: memoryStepProbability)
            stream = StreamingOrder(kind: kind, capacity: bufferCapacity, seed: SeedDerivation.bufferSeed(
                runSeed: parameters.seed, epoch: epochsCompleted, buffer: buffersThisEpoch))
            buffersThisEpoch += 1
        }
        guard var order = stream, let arriving = features.baseAddress else { return }
        let step = order.arrive()
        stream = order
        let rows = slotFeatures[0], targets = slotTargets[0], n = featureCount, lr = learningRate
        if let slot = step.evictSlot { trainRow(rows + slot * n, target: targets[slot], learningRate: lr) }
        if let slot = step.storeSlot {
            let destination = rows + slot * n
            for i in 0..<n { destination[i] = arriving[i] }
            targets[slot] = target
            slotCounts[0] = max(slotCounts[0], slot + 1)
        }
        if step.trainArriving { trainRow(arriving, target: target, learningRate: lr) }
        if let slot = step.memorySlot { trainRow(rows + slot * n, target: targets[slot], learningRate: lr) }
    }

    /// Synchronous mode: prepares slot 0 for inline training.
    private func beginTraining(flush: Bool) {
        let seed = SeedDerivation.bufferSeed(runSeed: parameters.seed, epoch: epochsCompleted, buffer: buffersThisEpoch)
        permute(slot: 0, count: slotCounts[0], seed: seed)
        buffersThisEpoch += 1
        trainPosition = 0
        training = true
        flushing = flush
    }

    @inline(__always)
    private func trainRow(_ x: UnsafePointer<Double>, target: Double, learningRate lr: Double) {
        let n = featureCount, k = outputs
        for o in 0..<k { scores[o] = intercepts[o] + dot(weights + o * n, x, n) }
        let loss = Objective.lossAndGradient(
            kind: kind, scores: UnsafeBufferPointer(start: scores, count: k), target: target,
            gradient: UnsafeMutableBufferPointer(start: gradient, count: k))
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
            batchCount += 1
            if batchCount == batchSize { applyBatch() }
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

    private func applyBatch() {
        guard let batchGradient, let batchInterceptGradient, let batchTouched, batchCount > 0 else { return }
        let n = featureCount, k = outputs, lr = learningRate
        let scale = lr / Double(batchCount)
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
        batchCount = 0
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
}
