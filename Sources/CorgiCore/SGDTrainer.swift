import CorgiKernels

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
            return "has feature \(index + 1) = \(value)"
        case .invalidLabel(let value):
            return "has label \(value)"
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
///   ``SeedDerivation/bufferSeed(runSeed:epoch:buffer:)`` (never reused), unless the
///   trainer was made with `shufflesBuffer: false` (rows are trained in arrival order).
/// - Learning rate of epoch `e` (0-based): `learning_rate * decay^e`.
/// - Mini-batches (`batch_size > 1`) average the gradients of `batch_size` rows; a
///   partial batch is applied at the end of each pass.
/// - L2: weight decay `w *= 1 - lr*l2` per update (intercepts excluded); skipped when 0.
/// - L1: Tsuruoka et al.'s cumulative penalty, applied only to the coordinates a row
///   touches (non-zero features), so it costs O(non-zeros) per update and nothing when 0.
/// - Rows with a NaN/Inf feature, a wrong feature count or an invalid label are refused
///   (``RowFailure``), never trained on. Never traps.
public final class SGDTrainer {
    public let parameters: TrainingParameters
    public let kind: ModelKind
    public let featureCount: Int
    public let outputs: Int
    public let classValues: [Double]
    public let bufferCapacity: Int
    public let shufflesBuffer: Bool

    // Hot-loop copies of the parameters: reading `parameters` (which holds a String)
    // would retain and release it on every row.
    private let l2: Double
    private let l1: Double
    private let batchSize: Int
    private let trainsIntercept: Bool

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

    private let bufferFeatures: UnsafeMutablePointer<Double>  // bufferCapacity * featureCount
    private let bufferTargets: UnsafeMutablePointer<Double>
    private let order: UnsafeMutablePointer<UInt32>
    private var bufferCount = 0
    private var trainPosition = 0
    private var training = false
    private var flushing = false

    /// Why a trainer could not be made.
    public enum Failure: Error, Equatable, Sendable {
        case invalidShape(String)
        case outOfMemory(bytes: Int)
    }

    /// How many rows ahead ``trainStep(maxRows:)`` prefetches.
    static let prefetchDistance = 8

    /// The largest buffer: 2^26 rows.
    public static let maximumBufferRows = 1 << 26

    /// Bytes of buffer per row: features, target and permutation slot.
    public static func bufferBytesPerRow(featureCount: Int) -> Int { featureCount * 8 + 8 + 4 }

    /// A fresh trainer with zero weights.
    public static func make(
        kind: ModelKind, featureCount: Int, classValues: [Double], parameters: TrainingParameters,
        bufferCapacity: Int, shufflesBuffer: Bool
    ) -> Result<SGDTrainer, Failure> {
        guard let model = LinearModel(kind: kind, featureCount: featureCount,
                                      hasIntercept: parameters.intercept, classValues: classValues)
        else {
            return .failure(.invalidShape("a \(kind.name) model with \(featureCount) features and \(classValues.count) classes is not valid"))
        }
        return make(model: model, parameters: parameters, bufferCapacity: bufferCapacity,
                    shufflesBuffer: shufflesBuffer, epochsCompleted: 0, lastEpoch: EpochStatistics(),
                    l1Total: 0, l1Applied: nil)
    }

    static func make(
        model: LinearModel, parameters: TrainingParameters, bufferCapacity: Int, shufflesBuffer: Bool,
        epochsCompleted: Int, buffersThisEpoch: Int = 0, current: EpochStatistics = EpochStatistics(),
        lastEpoch: EpochStatistics, l1Total: Double, l1Applied: [Double]?
    ) -> Result<SGDTrainer, Failure> {
        guard bufferCapacity >= 1, bufferCapacity <= maximumBufferRows else {
            return .failure(.invalidShape("a buffer of \(bufferCapacity) rows is not between 1 and \(maximumBufferRows)"))
        }
        let n = model.featureCount, k = model.outputs
        let (bufferDoubles, overflow) = bufferCapacity.multipliedReportingOverflow(by: n)
        guard !overflow else { return .failure(.outOfMemory(bytes: Int.max)) }
        var allocations: [UnsafeMutableRawPointer] = []
        func allocate<T>(_ count: Int, _ type: T.Type) -> UnsafeMutablePointer<T>? {
            let bytes = max(1, count) * MemoryLayout<T>.stride
            guard let raw = malloc(bytes) else { return nil }
            allocations.append(raw)
            return raw.bindMemory(to: T.self, capacity: max(1, count))
        }
        let useL1 = parameters.l1 > 0, useBatch = parameters.batchSize > 1
        guard let w = allocate(n * k, Double.self), let b = allocate(k, Double.self),
            let s = allocate(k, Double.self), let g = allocate(k, Double.self),
            let bf = allocate(bufferDoubles, Double.self), let bt = allocate(bufferCapacity, Double.self),
            let o = allocate(bufferCapacity, UInt32.self)
        else {
            allocations.forEach { free($0) }
            return .failure(.outOfMemory(bytes: bufferCapacity * bufferBytesPerRow(featureCount: n)))
        }
        let q = useL1 ? allocate(n * k, Double.self) : nil
        let bg = useBatch ? allocate(n * k, Double.self) : nil
        let bb = useBatch ? allocate(k, Double.self) : nil
        let touched = useBatch ? allocate(n, Bool.self) : nil
        if (useL1 && q == nil) || (useBatch && (bg == nil || bb == nil || touched == nil)) {
            allocations.forEach { free($0) }
            return .failure(.outOfMemory(bytes: n * k * 16))
        }
        for i in 0..<(n * k) { w[i] = model.weights[i] }
        for i in 0..<k { b[i] = model.intercepts[i] }
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
            shufflesBuffer: shufflesBuffer, epochsCompleted: epochsCompleted, lastEpoch: lastEpoch,
            l1Total: l1Total, weights: w, intercepts: b, l1Applied: q, batchGradient: bg,
            batchInterceptGradient: bb, batchTouched: touched, scores: s, gradient: g,
            bufferFeatures: bf, bufferTargets: bt, order: o)
        trainer.buffersThisEpoch = buffersThisEpoch
        trainer.current = current
        return .success(trainer)
    }

    private init(
        parameters: TrainingParameters, model: LinearModel, bufferCapacity: Int, shufflesBuffer: Bool,
        epochsCompleted: Int, lastEpoch: EpochStatistics, l1Total: Double,
        weights: UnsafeMutablePointer<Double>, intercepts: UnsafeMutablePointer<Double>,
        l1Applied: UnsafeMutablePointer<Double>?, batchGradient: UnsafeMutablePointer<Double>?,
        batchInterceptGradient: UnsafeMutablePointer<Double>?, batchTouched: UnsafeMutablePointer<Bool>?,
        scores: UnsafeMutablePointer<Double>, gradient: UnsafeMutablePointer<Double>,
        bufferFeatures: UnsafeMutablePointer<Double>, bufferTargets: UnsafeMutablePointer<Double>,
        order: UnsafeMutablePointer<UInt32>
    ) {
        self.parameters = parameters
        self.kind = model.kind
        self.featureCount = model.featureCount
        self.outputs = model.outputs
        self.classValues = model.classValues
        self.bufferCapacity = bufferCapacity
        self.shufflesBuffer = shufflesBuffer
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
        self.bufferFeatures = bufferFeatures
        self.bufferTargets = bufferTargets
        self.order = order
    }

    deinit {
        for p in [UnsafeMutableRawPointer(weights), UnsafeMutableRawPointer(intercepts),
                  UnsafeMutableRawPointer(scores), UnsafeMutableRawPointer(gradient),
                  UnsafeMutableRawPointer(bufferFeatures), UnsafeMutableRawPointer(bufferTargets),
                  UnsafeMutableRawPointer(order)] { free(p) }
        for p in [l1Applied.map(UnsafeMutableRawPointer.init), batchGradient.map(UnsafeMutableRawPointer.init),
                  batchInterceptGradient.map(UnsafeMutableRawPointer.init),
                  batchTouched.map(UnsafeMutableRawPointer.init)] { if let p { free(p) } }
    }

    /// The learning rate of the epoch in progress: `learning_rate * decay^epochsCompleted`.
    public var learningRate: Double { parameters.learningRate(epoch: epochsCompleted) }

    /// The model as it stands (copies the weights).
    public var model: LinearModel {
        let n = featureCount * outputs
        return LinearModel(kind: kind, featureCount: featureCount, hasIntercept: parameters.intercept,
                           classValues: classValues,
                           weights: (0..<n).map { weights[$0] },
                           intercepts: (0..<outputs).map { intercepts[$0] })!
    }

    /// The L1 bookkeeping (for serialization): total penalty so far and per weight applied.
    var l1State: (total: Double, applied: [Double]?) {
        (l1Total, l1Applied.map { q in (0..<(featureCount * outputs)).map { q[$0] } })
    }

    /// Buffers shuffled so far in the epoch in progress.
    var buffersInEpoch: Int { buffersThisEpoch }

    /// Rows in a partial mini-batch not yet applied.
    var pendingBatchRows: Int { batchCount }

    /// Rows buffered and not yet trained.
    public var bufferedRows: Int { bufferCount - trainPosition }

    /// True while buffered rows wait for ``trainStep(maxRows:)``.
    public var isTraining: Bool { training }

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

    /// Buffers one row. When the buffer becomes full, answers `bufferFull`: drain
    /// ``trainStep(maxRows:)`` before adding more (adding while training is refused
    /// with `bufferFull` and changes nothing).
    public func add(features: UnsafeBufferPointer<Double>, label: Double) -> Result<AddOutcome, RowFailure> {
        guard !training else { return .success(.bufferFull) }
        guard features.count == featureCount else {
            return .failure(.wrongFeatureCount(got: features.count, expected: featureCount))
        }
        guard let target = target(forLabel: label) else { return .failure(.invalidLabel(value: label)) }
        let destination = bufferFeatures + bufferCount * featureCount
        for i in 0..<featureCount {
            let x = features[i]
            guard x.isFinite else { return .failure(.nonFiniteFeature(index: i, value: x)) }
            destination[i] = x
        }
        bufferTargets[bufferCount] = target
        bufferCount += 1
        if bufferCount == bufferCapacity {
            beginTraining(flush: false)
            return .success(.bufferFull)
        }
        return .success(.accepted)
    }

    /// Counts a row skipped for a NULL label or NULL features.
    public func skip() { current.skipped += 1 }

    /// Ends a pass over the data: the partial buffer is queued for training (drain
    /// ``trainStep(maxRows:)``), then any partial mini-batch is applied.
    public func finishPass() {
        guard !training else { return }
        if bufferCount > 0 {
            beginTraining(flush: true)
        } else {
            applyBatch()
        }
    }

    /// Trains up to `maxRows` buffered rows; returns true while rows remain.
    public func trainStep(maxRows: Int) -> Bool {
        guard training else { return false }
        let end = min(bufferCount, trainPosition + max(1, maxRows))
        let lr = learningRate
        let rowBytes = featureCount * MemoryLayout<Double>.stride
        while trainPosition < end {
            // The rows are read in permuted order from a buffer far larger than the
            // cache: ask for the row a few positions ahead while this one trains.
            let ahead = trainPosition + SGDTrainer.prefetchDistance
            if ahead < bufferCount {
                let next = Int(order[ahead])
                corgi_prefetch(bufferFeatures + next * featureCount, rowBytes)
                corgi_prefetch(bufferTargets + next, 8)
            }
            let row = Int(order[trainPosition])
            trainRow(bufferFeatures + row * featureCount, target: bufferTargets[row], learningRate: lr)
            trainPosition += 1
        }
        if trainPosition == bufferCount {
            training = false
            bufferCount = 0
            trainPosition = 0
            if flushing { applyBatch(); flushing = false }
            return false
        }
        return true
    }

    /// Closes the epoch in progress: its statistics become ``lastEpoch`` and the
    /// learning rate decays. Call after ``finishPass()`` has been drained.
    public func endEpoch() {
        guard !training, bufferCount == 0 else { return }
        lastEpoch = current
        current = EpochStatistics()
        epochsCompleted += 1
        buffersThisEpoch = 0
    }

    // MARK: - Internals

    private func beginTraining(flush: Bool) {
        for i in 0..<bufferCount { order[i] = UInt32(truncatingIfNeeded: i) }
        if shufflesBuffer && bufferCount > 1 {
            var generator = Xoshiro256StarStar(seed: SeedDerivation.bufferSeed(
                runSeed: parameters.seed, epoch: epochsCompleted, buffer: buffersThisEpoch))
            for i in 0..<(bufferCount - 1) {
                let j = i + Int(truncatingIfNeeded: generator.next(below: UInt64(bufferCount - i)))
                let t = order[i]; order[i] = order[j]; order[j] = t
            }
        }
        buffersThisEpoch += 1
        trainPosition = 0
        training = true
        flushing = flush
    }

    @inline(__always)
    private func trainRow(_ x: UnsafeMutablePointer<Double>, target: Double, learningRate lr: Double) {
        let n = featureCount, k = outputs
        for o in 0..<k { scores[o] = intercepts[o] + dot(weights + o * n, x, n) }
        let loss = Objective.lossAndGradient(
            kind: kind, scores: UnsafeBufferPointer(start: scores, count: k), target: target,
            gradient: UnsafeMutableBufferPointer(start: gradient, count: k))
        current.rows += 1
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
