import CorgiCore
import XCTest

/// Label-sorted ("clustered") data, as in the CorgiPile paper: rows of class 0 first.
struct ClusteredData {
    var features: [[Double]] = []
    var labels: [Double] = []

    /// Two Gaussian-ish blobs in `dimension` dimensions, `rows` rows, sorted by label.
    init(rows: Int, dimension: Int, seed: UInt64) {
        var g = Xoshiro256StarStar(seed: seed)
        func noise() -> Double { (0..<4).reduce(0) { s, _ in s + g.nextUnitInterval() } - 2 }
        for i in 0..<rows {
            let label = i < rows / 2 ? 0.0 : 1.0
            let center = label == 1 ? 0.6 : -0.6
            features.append((0..<dimension).map { d in (d < 3 ? center : 0) + noise() })
            labels.append(label)
        }
    }

    func accuracy(_ model: some ScoringModel) -> Double {
        var correct = 0
        for (x, y) in zip(features, labels) {
            if x.withUnsafeBufferPointer({ model.predict($0) }) == y { correct += 1 }
        }
        return Double(correct) / Double(labels.count)
    }
}

final class SGDTrainerTests: XCTestCase {
    /// Trains one epoch, feeding rows in `order`.
    private func epoch(_ trainer: SGDTrainer, _ data: ClusteredData, order: [Int]) {
        for i in order {
            let outcome = data.features[i].withUnsafeBufferPointer { trainer.add(features: $0, label: data.labels[i]) }
            if case .success(.bufferFull) = outcome { while trainer.trainStep(maxRows: 1000) {} }
            if case .failure(let f) = outcome { XCTFail("\(f)") }
        }
        trainer.finishPass()
        while trainer.trainStep(maxRows: 1000) {}
        trainer.endEpoch()
    }

    /// Row order of a block-shuffled scan: `rowsPerBlock` consecutive rows per block.
    private func blockShuffledOrder(rows: Int, rowsPerBlock: Int, seed: UInt64) -> [Int] {
        guard case .success(var order) = BlockShuffleOrder.make(
            pageCount: UInt32((rows + rowsPerBlock - 1) / rowsPerBlock), pagesPerBlock: 1, seed: seed)
        else { return [] }
        var out: [Int] = []
        while let block = order.nextPage() {
            out += (Int(block) * rowsPerBlock..<min(rows, (Int(block) + 1) * rowsPerBlock))
        }
        return out
    }

    func testCorgiPileMatchesFullShuffleOnClusteredDataAndNoShuffleDoesNot() throws {
        let data = ClusteredData(rows: 20_000, dimension: 10, seed: 4)
        // A step large enough that the last rows seen bias the model (as in the paper's
        // clustered runs), 100-row blocks, a 10% buffer (20 blocks per buffer). Plain
        // SGD iterates: this is the order's effect (averaging is tested on its own).
        let p = try TrainingParameters.parse("learning_rate=0.5, seed=9, average=false").get()
        func train(capacity: Int, shuffle: Bool, order: [Int]) throws -> Double {
            let t = try SGDTrainer.make(kind: .logistic, featureCount: 10, classValues: [], parameters: p,
                                        bufferCapacity: capacity, shufflesBuffer: shuffle).get()
            epoch(t, data, order: order)
            return data.accuracy(t.model)
        }
        var g = Xoshiro256StarStar(seed: 1)
        var full = Array(0..<20_000)
        for i in stride(from: full.count - 1, to: 0, by: -1) { full.swapAt(i, Int(g.next(below: UInt64(i + 1)))) }
        let blocks = blockShuffledOrder(rows: 20_000, rowsPerBlock: 100, seed: 3)
        let fullShuffle = try train(capacity: 20_000, shuffle: false, order: full)
        let corgiPile = try train(capacity: 2_000, shuffle: true, order: blocks)   // 10% buffer
        let blockOnly = try train(capacity: 2_000, shuffle: false, order: blocks)
        let noShuffle = try train(capacity: 2_000, shuffle: false, order: Array(0..<20_000))
        XCTAssertGreaterThan(fullShuffle, 0.85)
        XCTAssertGreaterThan(corgiPile, fullShuffle - 0.01, "corgipile \(corgiPile) vs full \(fullShuffle)")
        XCTAssertLessThan(noShuffle, fullShuffle - 0.1, "no shuffle \(noShuffle)")
        XCTAssertLessThan(blockOnly, corgiPile - 0.01, "block-only \(blockOnly) vs corgipile \(corgiPile)")
    }

    func testRunsAreBitForBitReproducibleAndSeedsMatter() throws {
        let data = ClusteredData(rows: 3_000, dimension: 5, seed: 8)
        func run(_ seed: Int) throws -> [Double] {
            let p = try TrainingParameters.parse("seed=\(seed), l2=0.001, l1=0.0001, batch_size=3").get()
            let t = try SGDTrainer.make(kind: .svm, featureCount: 5, classValues: [], parameters: p,
                                        bufferCapacity: 500, shufflesBuffer: true).get()
            for _ in 0..<2 { epoch(t, data, order: Array(0..<3_000)) }
            return t.model.weights + t.model.intercepts
        }
        XCTAssertEqual(try run(1), try run(1))
        XCTAssertNotEqual(try run(1), try run(2))
    }

    func testMiniBatchOfTheWholeDataIsOneAveragedGradientStep() throws {
        // Linear model from w = 0: one batch of all 4 rows gives w = -lr * mean((0 - y) x).
        let xs: [[Double]] = [[1, 2], [3, 4], [-1, 0], [2, -2]], ys: [Double] = [1, -2, 3, 0.5]
        let p = try TrainingParameters.parse("learning_rate=0.1, batch_size=4").get()
        let t = try SGDTrainer.make(kind: .linear, featureCount: 2, classValues: [], parameters: p,
                                    bufferCapacity: 10, shufflesBuffer: true).get()
        for (x, y) in zip(xs, ys) { _ = x.withUnsafeBufferPointer { t.add(features: $0, label: y) } }
        t.finishPass()
        while t.trainStep(maxRows: 10) {}
        let expected0 = 0.1 * (1 * 1 + 3 * -2 + -1 * 3 + 2 * 0.5) / 4
        let expected1 = 0.1 * (2 * 1 + 4 * -2 + 0 * 3 + -2 * 0.5) / 4
        XCTAssertEqual(t.model.weights[0], expected0, accuracy: 1e-15)
        XCTAssertEqual(t.model.weights[1], expected1, accuracy: 1e-15)
        XCTAssertEqual(t.model.intercepts[0], 0.1 * (1 - 2 + 3 + 0.5) / 4, accuracy: 1e-15)
        XCTAssertEqual(t.current.rows, 4)
        XCTAssertEqual(t.current.meanLoss, (1 + 4 + 9 + 0.25) / 2 / 4, accuracy: 1e-15)
    }

    func testL1ZeroesIrrelevantFeaturesAndL2Shrinks() throws {
        let data = ClusteredData(rows: 4_000, dimension: 20, seed: 2)   // only 3 features matter
        var order = Array(0..<4_000)
        var g = Xoshiro256StarStar(seed: 5)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(g.next(below: UInt64(i + 1)))) }
        func weights(_ params: String) throws -> [Double] {
            let t = try SGDTrainer.make(kind: .logistic, featureCount: 20, classValues: [],
                                        parameters: try TrainingParameters.parse(params).get(),
                                        bufferCapacity: 400, shufflesBuffer: true).get()
            for _ in 0..<3 { epoch(t, data, order: order) }
            return t.model.weights
        }
        let plain = try weights("learning_rate=0.05")
        let lasso = try weights("learning_rate=0.05, l1=0.01")
        let ridge = try weights("learning_rate=0.05, l2=0.5")
        XCTAssertEqual(plain.filter { $0 == 0 }.count, 0)
        XCTAssertGreaterThanOrEqual(lasso[3...].filter { $0 == 0 }.count, 12, "\(lasso)")
        XCTAssertTrue(lasso[0..<3].allSatisfy { $0 > 0.1 }, "\(lasso)")
        let norm = { (w: [Double]) in w.reduce(0) { $0 + $1 * $1 } }
        XCTAssertLessThan(norm(ridge), norm(plain) / 2)
    }

    /// svr (epsilon-insensitive SGD) on y = 2 x1 - x2 + 3 with heavy-tailed noise and 5 %
    /// gross outliers: its fit stays near the true line where squared loss is pulled away,
    /// and the stored model keeps its margin for evaluation.
    func testSupportVectorRegressionResistsOutliers() throws {
        var g = Xoshiro256StarStar(seed: 21)
        var rows: [([Double], Double)] = []
        for i in 0..<4_000 {
            let x1 = g.nextUnitInterval() * 4 - 2, x2 = g.nextUnitInterval() * 4 - 2
            var y = 2 * x1 - x2 + 3 + (g.nextUnitInterval() - 0.5) * 0.2
            if i % 20 == 0 { y += 40 }
            rows.append(([x1, x2], y))
        }
        func fit(_ family: ModelFamily, _ params: String) throws -> LinearModel {
            let t = try SGDTrainer.make(kind: family.objective, featureCount: 2, classValues: [],
                                        parameters: try TrainingParameters.parse(params, family: family).get(),
                                        bufferCapacity: 4_000, shufflesBuffer: true).get()
            trainEpochs(t, rows: rows, epochs: 20)
            return try XCTUnwrap(t.model.linearModel)
        }
        let svr = try fit(.svr, "learning_rate=0.05, svr_epsilon=0.1")
        let squared = try fit(.linear, "learning_rate=0.01")
        XCTAssertEqual(svr.weights[0], 2, accuracy: 0.05, "\(svr.weights)")
        XCTAssertEqual(svr.weights[1], -1, accuracy: 0.05, "\(svr.weights)")
        XCTAssertEqual(svr.intercepts[0], 3, accuracy: 0.1, "\(svr.intercepts)")
        XCTAssertGreaterThan(squared.intercepts[0], 4.5, "squared loss follows the outliers: \(squared.intercepts)")
        XCTAssertEqual(svr.lossMargin, 0.1)
        // Evaluation charges only what is outside the tube.
        let inside = [0.0, 0.0].withUnsafeBufferPointer { svr.evaluate($0, label: svr.intercepts[0] + 0.05) }
        XCTAssertEqual(try inside.get().loss, 0)
        // The margin belongs to svr alone.
        guard case .failure(let f) = TrainingParameters.parse("svr_epsilon=0.1", family: .linear) else { return XCTFail() }
        XCTAssertEqual(f.message, "parameter \"svr_epsilon\" applies to svr only")
        XCTAssertEqual(try TrainingParameters.parse("", family: .svr).get().normalized.contains("svr_epsilon=0.01"), true)
        XCTAssertFalse(try TrainingParameters.parse("", family: .linear).get().normalized.contains("svr_epsilon"))
    }

    /// class_weight: 200 negatives around -0.2 and 20 positives around +0.2 overlapping
    /// them; unweighted, the model calls almost every positive negative; with the balanced
    /// weights (n / (2 n_class): 0.55 and 5.5) it recalls most of them. The weights
    /// survive the codec, and a count that is not the model's classes is refused.
    func testClassWeightsRecallTheRareClass() throws {
        var g = Xoshiro256StarStar(seed: 31)
        var rows: [([Double], Double)] = []
        for i in 0..<220 {
            let positive = i % 11 == 0
            rows.append(([(positive ? 0.2 : -0.2) + (g.nextUnitInterval() - 0.5) * 1.6], positive ? 1 : 0))
        }
        func recall(_ params: String, family: ModelFamily = .svm) throws -> (Double, TrainerSnapshot) {
            let t = try SGDTrainer.make(kind: family.objective, featureCount: 1, classValues: [],
                                        parameters: try TrainingParameters.parse(params, family: family).get(),
                                        bufferCapacity: 220, shufflesBuffer: true).get()
            trainEpochs(t, rows: rows, epochs: 20)
            let model = t.model
            let positives = rows.filter { $0.1 == 1 }
            let found = positives.filter { r in r.0.withUnsafeBufferPointer { model.predict($0) } == 1 }.count
            return (Double(found) / Double(positives.count), try XCTUnwrap(t.snapshot))
        }
        let (plain, _) = try recall("learning_rate=0.05")
        let (weighted, snapshot) = try recall("learning_rate=0.05, class_weight=[0.55,5.5]")
        XCTAssertLessThan(plain, 0.3, "unweighted")
        XCTAssertGreaterThan(weighted, 0.6, "weighted")
        let (logistic, _) = try recall("learning_rate=0.05, class_weight=[0.55,5.5], optimizer=adam, batch_size=8", family: .logistic)
        XCTAssertGreaterThan(logistic, 0.6, "weighted logistic through the batch learner")
        // Through the codec, and in the normalized params (a replay weighs the same).
        var bytes = [UInt8](repeating: 0, count: TrainerCodec.encodedSize(snapshot))
        _ = bytes.withUnsafeMutableBytes { TrainerCodec.encode(snapshot, into: $0) }
        let decoded = try bytes.withUnsafeBytes { TrainerCodec.decode($0) }.get()
        XCTAssertEqual(decoded.parameters.classWeights, [0.55, 5.5])
        XCTAssertEqual(decoded, snapshot)
        XCTAssertTrue(snapshot.parameters.normalized.hasSuffix("class_weight=[0.55,5.5]"), snapshot.parameters.normalized)
        XCTAssertFalse(try TrainingParameters.parse("").get().normalized.contains("class_weight"))
        // Refusals.
        let three = try TrainingParameters.parse("class_weight=[1,2,3]").get()
        guard case .failure(let shape) = SGDTrainer.make(kind: .logistic, featureCount: 1, classValues: [], parameters: three,
                                                          bufferCapacity: 10, shufflesBuffer: true) else { return XCTFail() }
        XCTAssertEqual("\(shape)".contains("class_weight has 3 weights, the model has 2 classes"), true, "\(shape)")
        guard case .failure(let f) = TrainingParameters.parse("class_weight=[1,0]") else { return XCTFail() }
        XCTAssertEqual(f.message, "class_weight must be 2 to 1000 positive numbers, got \"[1,0]\"")
        guard case .failure(let r) = TrainingParameters.parse("class_weight=[1,2]", family: .linear) else { return XCTFail() }
        XCTAssertEqual(r.message, "parameter \"class_weight\" applies to logistic, svm and softmax only")
    }

    func testSoftmaxLearnsThreeClassesWithArbitraryClassValues() throws {
        var features: [[Double]] = [], labels: [Double] = []
        var g = Xoshiro256StarStar(seed: 7)
        let classes: [Double] = [-1, 4, 10]
        for i in 0..<3_000 {
            let c = i % 3
            features.append([Double(c == 0 ? 2 : 0), Double(c == 1 ? 2 : 0)].map { $0 + g.nextUnitInterval() - 0.5 })
            labels.append(classes[c])
        }
        let t = try SGDTrainer.make(kind: .softmax, featureCount: 2, classValues: classes,
                                    parameters: try TrainingParameters.parse("learning_rate=0.1").get(),
                                    bufferCapacity: 300, shufflesBuffer: true).get()
        for _ in 0..<3 {
            for (x, y) in zip(features, labels) {
                if case .success(.bufferFull) = x.withUnsafeBufferPointer({ t.add(features: $0, label: y) }) {
                    while t.trainStep(maxRows: 100) {}
                }
            }
            t.finishPass(); while t.trainStep(maxRows: 100) {}; t.endEpoch()
        }
        let model = t.model
        let correct = zip(features, labels).filter { x, y in x.withUnsafeBufferPointer { model.predict($0) } == y }.count
        XCTAssertGreaterThan(Double(correct) / 3_000, 0.97)
        let p = [2.0, 0.0].withUnsafeBufferPointer { model.probabilities($0)! }
        XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertGreaterThan(p[0], 0.8)
        XCTAssertLessThan(t.lastEpoch.meanLoss, 0.2)
    }

    func testBadRowsAreRefusedAndNotTrained() throws {
        let t = try SGDTrainer.make(kind: .logistic, featureCount: 2, classValues: [],
                                    parameters: TrainingParameters(), bufferCapacity: 8, shufflesBuffer: true).get()
        func add(_ x: [Double], _ y: Double) -> Result<SGDTrainer.AddOutcome, RowFailure> {
            x.withUnsafeBufferPointer { t.add(features: $0, label: y) }
        }
        XCTAssertEqual(add([1], 1), .failure(.wrongFeatureCount(got: 1, expected: 2)))
        XCTAssertEqual(add([1, .nan], 1).message, "has feature 2 = NaN")
        XCTAssertEqual(add([1, .infinity], 1), .failure(.nonFiniteFeature(index: 1, value: .infinity)))
        XCTAssertEqual(add([1, 2], 2), .failure(.invalidLabel(value: 2)))
        XCTAssertEqual(add([1, 2], .nan).message, "has label NaN")
        XCTAssertEqual(add([1, 2], -1), .success(.accepted))
        XCTAssertEqual(t.bufferedRows, 1)
        XCTAssertEqual(RowFailure.nonFiniteFeature(index: 1, value: .infinity).message, "has feature 2 = Infinity")
    }

    /// `epochs` epochs of `rows` through the trainer's tuple buffer, each closed.
    private func trainEpochs(_ t: SGDTrainer, rows: [([Double], Double)], epochs: Int) {
        for _ in 0..<epochs {
            for (x, y) in rows {
                if case .success(.bufferFull) = x.withUnsafeBufferPointer({ t.add(features: $0, label: y) }) {
                    while t.trainStep(maxRows: 1000) {}
                }
            }
            t.finishPass()
            while t.trainStep(maxRows: 1000) {}
            t.endEpoch()
        }
    }
}

extension Result where Success == SGDTrainer.AddOutcome, Failure == RowFailure {
    /// The failure's message (NaN != NaN, so failures carrying NaN compare by message).
    var message: String {
        switch self {
        case .success(let s): return "\(s)"
        case .failure(let f): return f.message
        }
    }
}

final class ConcurrentTrainerTests: XCTestCase {
    /// Feeds rows through the public protocol (add, advance, finishPass, endEpoch).
    private func train(_ trainer: SGDTrainer, _ data: ClusteredData, epochs: Int) {
        for _ in 0..<epochs {
            for (x, y) in zip(data.features, data.labels) {
                if case .success(.bufferFull) = x.withUnsafeBufferPointer({ trainer.add(features: $0, label: y) }) {
                    while trainer.advance() {}
                }
            }
            trainer.skip()
            trainer.finishPass()
            while trainer.advance() {}
            trainer.endEpoch()
        }
    }

    func testConcurrentTrainingIsBitIdenticalToSynchronous() throws {
        let data = ClusteredData(rows: 5_003, dimension: 7, seed: 6)
        for params in ["seed=3", "seed=4, batch_size=16, l1=0.001, l2=0.01", "seed=5, learning_rate=0.3"] {
            let p = try TrainingParameters.parse(params).get()
            var results: [TrainerSnapshot] = []
            for concurrent in [false, true] {
                let t = try SGDTrainer.make(kind: .logistic, featureCount: 7, classValues: [], parameters: p,
                                            bufferCapacity: 499, shufflesBuffer: true, concurrent: concurrent).get()
                XCTAssertEqual(t.concurrent, concurrent)
                train(t, data, epochs: 2)
                results.append(try XCTUnwrap(t.snapshot))
            }
            XCTAssertEqual(results[0], results[1], params)
            XCTAssertEqual(results[1].lastEpoch.rows, 5_003)
            XCTAssertEqual(results[1].lastEpoch.skipped, 1)
            XCTAssertEqual(results[1].epochsCompleted, 2)
        }
    }

    func testReleasingATrainerMidBufferStopsItsWorker() throws {
        // Many large buffers handed to the worker, then the trainer is dropped while the
        // worker is busy: deinit must stop and join it (no crash, no use after free).
        let data = ClusteredData(rows: 60_000, dimension: 50, seed: 1)
        for _ in 0..<5 {
            let t = try SGDTrainer.make(kind: .svm, featureCount: 50, classValues: [],
                                        parameters: TrainingParameters(), bufferCapacity: 20_000,
                                        shufflesBuffer: true, concurrent: true).get()
            for (x, y) in zip(data.features, data.labels).prefix(40_001) {
                if case .success(.bufferFull) = x.withUnsafeBufferPointer({ t.add(features: $0, label: y) }) {
                    _ = t.advance()   // hand over once, then keep going: the worker is busy
                }
            }
        }
    }

    func testOneWorkerPerProcessAndShutdownJoinsAtOnce() throws {
        // A trainer that wants a worker while another holds the process's one slot trains
        // inline, and gets the same result.
        let data = ClusteredData(rows: 3_001, dimension: 7, seed: 2)
        let p = try TrainingParameters.parse("seed=9").get()
        let first = try SGDTrainer.make(kind: .logistic, featureCount: 7, classValues: [], parameters: p,
                                        bufferCapacity: 300, shufflesBuffer: true, concurrent: true).get()
        let second = try SGDTrainer.make(kind: .logistic, featureCount: 7, classValues: [], parameters: p,
                                         bufferCapacity: 300, shufflesBuffer: true, concurrent: true).get()
        XCTAssertTrue(first.concurrent)
        XCTAssertFalse(second.concurrent)
        train(first, data, epochs: 1)
        train(second, data, epochs: 1)
        XCTAssertEqual(first.snapshot, second.snapshot)
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 1)
        first.shutdown()
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 0)
        let third = try SGDTrainer.make(kind: .logistic, featureCount: 7, classValues: [], parameters: p,
                                        bufferCapacity: 300, shufflesBuffer: true, concurrent: true).get()
        XCTAssertTrue(third.concurrent, "the slot is given back by shutdown")
        third.shutdown()
    }

    func testShutdownStopsABusyWorkerPartWayThroughItsBuffer() throws {
        // A buffer that takes the worker seconds (softmax, 100 classes x 200 features):
        // shutdown must stop it at its next check and join it, not let it finish.
        let n = 200, k = 100, rows = 20_000
        let classes = (0..<k).map(Double.init)
        let t = try SGDTrainer.make(kind: .softmax, featureCount: n, classValues: classes,
                                    parameters: TrainingParameters(), bufferCapacity: rows,
                                    shufflesBuffer: true, concurrent: true).get()
        XCTAssertTrue(t.concurrent)
        var generator = Xoshiro256StarStar(seed: 4)
        let x = (0..<n).map { _ in generator.nextUnitInterval() }
        for i in 0..<(rows + 1) {
            if case .success(.bufferFull) = x.withUnsafeBufferPointer({ t.add(features: $0, label: Double(i % k)) }) {
                _ = t.advance()   // hands the full buffer to the worker
            }
        }
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 1)
        t.shutdown()
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 0)
        // Work, not time, is asserted: the job stopped part-way through its buffer.
        XCTAssertLessThan(t.epochStatistics.rows, Int64(rows), "the worker stops at its next check, not at the end of its buffer")
    }
}
