@testable import CorgiCore
import XCTest

/// One tuple buffer serving several models in turn (model hopping) trains each exactly
/// as a buffer of its own would.
final class TupleBufferTests: XCTestCase {
    func testOneBufferServesModelsInTurnBitForBit() throws {
        let data = ClusteredData(rows: 900, dimension: 4, seed: 12)
        let pA = try TrainingParameters.parse("learning_rate=0.2, seed=1").get()
        let pB = try TrainingParameters.parse("learning_rate=0.05, l2=0.01, seed=2, average=false").get()
        func learner(_ p: TrainingParameters) throws -> LinearLearner {
            let model = try XCTUnwrap(LinearModel(kind: .logistic, featureCount: 4, hasIntercept: true))
            return try XCTUnwrap(LinearLearner(model: model, parameters: p, epochsCompleted: 0, current: EpochStatistics(),
                                               l1Total: 0, l1Applied: nil,
                                               averaging: p.average ? .init(iterate: .linear(model), count: 0) : nil))
        }
        func feed(_ buffer: TupleBuffer, _ rows: Range<Int>) {
            for i in rows {
                let target = data.labels[i] == 1 ? 1.0 : -1.0
                if data.features[i].withUnsafeBufferPointer({ buffer.add($0, target: target) }) {
                    while buffer.advance() {}
                }
            }
            buffer.finishPass()
            while buffer.advance() {}
        }
        // Reference: each model with its own buffer, two segments each.
        let refA = try learner(pA), refB = try learner(pB)
        let bufferA = try XCTUnwrap(TupleBuffer(capacity: 64, featureCount: 4, mode: .shuffle, runSeed: 1, bufferFraction: 0.1,
                                                epoch: 0, buffersThisEpoch: 0, concurrent: false, learner: refA))
        let bufferB = try XCTUnwrap(TupleBuffer(capacity: 64, featureCount: 4, mode: .shuffle, runSeed: 2, bufferFraction: 0.1,
                                                epoch: 0, buffersThisEpoch: 0, concurrent: false, learner: refB))
        feed(bufferA, 0..<450); feed(bufferB, 450..<900); feed(bufferA, 450..<900); feed(bufferB, 0..<450)
        // Hopping: one buffer, rebound between the models (A and B swap segments).
        let hopA = try learner(pA), hopB = try learner(pB)
        let shared = try XCTUnwrap(TupleBuffer(capacity: 64, featureCount: 4, mode: .shuffle, runSeed: 1, bufferFraction: 0.1,
                                               epoch: 0, buffersThisEpoch: 0, concurrent: false, learner: hopA))
        var buffersA = 0, buffersB = 0
        feed(shared, 0..<450); buffersA = shared.buffersThisEpoch
        XCTAssertTrue(shared.rebind(to: hopB, epoch: 0, buffersThisEpoch: 0, seed: 2))
        feed(shared, 450..<900); buffersB = shared.buffersThisEpoch
        XCTAssertTrue(shared.rebind(to: hopA, epoch: 0, buffersThisEpoch: buffersA, seed: 1))
        feed(shared, 450..<900)
        XCTAssertTrue(shared.rebind(to: hopB, epoch: 0, buffersThisEpoch: buffersB, seed: 2))
        feed(shared, 0..<450)
        XCTAssertEqual(hopA.model, refA.model)
        XCTAssertEqual(hopB.model, refB.model)
        XCTAssertEqual(hopA.current, refA.current)
        XCTAssertNotEqual(hopA.model, hopB.model)
        // A buffer holding rows refuses to change hands.
        _ = data.features[0].withUnsafeBufferPointer { shared.add($0, target: 1) }
        XCTAssertFalse(shared.rebind(to: hopA, epoch: 0, buffersThisEpoch: 0, seed: 1))
    }

    /// The glue's path: each visit opens a state into a trainer that takes over the
    /// previous trainer's buffer (and worker thread); the states are the same as with a
    /// fresh trainer per visit, for linear SGD, Adam and a network.
    func testTrainersTakingOverABufferGiveTheSameStates() throws {
        let data = ClusteredData(rows: 1200, dimension: 3, seed: 5)
        let configs: [(ModelFamily, String)] = [(.logistic, "learning_rate=0.2, seed=1"),
                                                (.logistic, "optimizer=adam, batch_size=4, seed=2"),
                                                (.mlp, "hidden_layers=[4], seed=3")]
        func fresh(_ family: ModelFamily, _ params: String) throws -> TrainerSnapshot {
            let p = try TrainingParameters.parse(params, family: family).get()
            let trainer: SGDTrainer
            if family == .mlp {
                trainer = try SGDTrainer.make(model: .network(XCTUnwrap(MultilayerPerceptron(
                    kind: .softmax, featureCount: 3, hidden: p.hiddenLayers, activation: p.activation,
                    classValues: [0, 1], seed: UInt64(p.seed)))), parameters: p, bufferCapacity: 100,
                    bufferMode: .shuffle, epochsCompleted: 0, lastEpoch: EpochStatistics(), l1Total: 0,
                    l1Applied: nil, averaging: nil).get()
            } else {
                trainer = try SGDTrainer.make(kind: .logistic, featureCount: 3, classValues: [], parameters: p,
                                              bufferCapacity: 100, bufferMode: .shuffle).get()
            }
            return try XCTUnwrap(trainer.snapshot)
        }
        func visit(_ trainer: SGDTrainer, _ rows: Range<Int>) throws -> TrainerSnapshot {
            for i in rows {
                let outcome = try data.features[i].withUnsafeBufferPointer { trainer.add(features: $0, label: data.labels[i]) }.get()
                if outcome == .bufferFull { while trainer.advance() {} }
            }
            trainer.finishPass()
            while trainer.advance() {}
            return try XCTUnwrap(trainer.snapshot)
        }
        let segments = [0..<300, 300..<600, 600..<900, 900..<1200]
        var alone = try configs.map { try fresh($0.0, $0.1) }
        var hopping = alone
        var previous: SGDTrainer?
        var kept: [SGDTrainer] = []
        for step in 0..<segments.count {
            for m in configs.indices {
                let rows = segments[(m + step) % segments.count]
                alone[m] = try visit(SGDTrainer.make(from: alone[m], concurrent: true).get(), rows)
                let trainer = try SGDTrainer.make(from: hopping[m], concurrent: true, reusing: previous).get()
                hopping[m] = try visit(trainer, rows)
                if let previous { kept.append(previous) }   // released later: must not stop the moved buffer
                previous = trainer
            }
        }
        for m in configs.indices { XCTAssertEqual(hopping[m], alone[m], "config \(m)") }
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 1, "one worker thread served every model")
        kept.removeAll()
        previous?.shutdown()
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 0)
    }

    /// The groups of a grouped pass: buffers sharing one worker thread (each waiting for
    /// its own jobs) train every group exactly as inline buffers do, rows interleaved.
    func testBuffersSharingOneWorkerTrainEachGroupAsInline() throws {
        let data = ClusteredData(rows: 3000, dimension: 4, seed: 21)
        let p = try TrainingParameters.parse("learning_rate=0.2, seed=5").get()
        func learner() throws -> LinearLearner {
            let model = try XCTUnwrap(LinearModel(kind: .logistic, featureCount: 4, hasIntercept: true))
            return try XCTUnwrap(LinearLearner(model: model, parameters: p, epochsCompleted: 0, current: EpochStatistics(),
                                               l1Total: 0, l1Applied: nil, averaging: .init(iterate: .linear(model), count: 0)))
        }
        let groups = 3
        let inline = try (0..<groups).map { _ in try learner() }
        let shared = try (0..<groups).map { _ in try learner() }
        let worker = try XCTUnwrap(SharedTrainingWorker.make())
        XCTAssertNil(SharedTrainingWorker.make(), "one worker slot per process")
        let inlineBuffers = try inline.map {
            try XCTUnwrap(TupleBuffer(capacity: 50, featureCount: 4, mode: .shuffle, runSeed: 5, bufferFraction: 0.1,
                                      epoch: 0, buffersThisEpoch: 0, concurrent: false, learner: $0))
        }
        let sharedBuffers = try shared.map {
            try XCTUnwrap(TupleBuffer(capacity: 50, featureCount: 4, mode: .shuffle, runSeed: 5, bufferFraction: 0.1,
                                      epoch: 0, buffersThisEpoch: 0, concurrent: false, learner: $0,
                                      sharedWorker: worker.worker))
        }
        for i in 0..<data.labels.count {
            let g = (i * 7919) % groups, target = data.labels[i] == 1 ? 1.0 : -1.0
            for buffer in [inlineBuffers[g], sharedBuffers[g]] {
                if data.features[i].withUnsafeBufferPointer({ buffer.add($0, target: target) }) {
                    while buffer.advance() {}
                }
            }
        }
        for buffer in inlineBuffers + sharedBuffers {
            buffer.finishPass()
            while buffer.advance() {}
        }
        for g in 0..<groups { XCTAssertEqual(shared[g].model, inline[g].model, "group \(g)") }
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 1)
        sharedBuffers.forEach { $0.shutdown() }
        worker.release()
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 0)
        XCTAssertNotNil(SharedTrainingWorker.make().map { $0.release() }, "the slot is free again")
    }
}
