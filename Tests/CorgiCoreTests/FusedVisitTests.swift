@testable import CorgiCore
import XCTest

/// Fused visits: models trained together on one buffer (one read, one shuffle) reach bit
/// for bit the states they reach trained alone, on one thread or split between the worker
/// and the filling thread, visit after visit, across epochs; and the plan that decides
/// which configs share visits.
final class FusedVisitTests: XCTestCase {
    /// Linear members of every kind of bookkeeping (plain, L2, L1, mini-batches, no
    /// averaging), a general-learner member (Adam) and a network, rows with NULLs skipped.
    func testFusedMembersEqualEachTrainedAlone() throws {
        let data = ClusteredData(rows: 1500, dimension: 3, seed: 8)
        let linear = ["learning_rate=0.2", "learning_rate=0.05, l2=0.01", "learning_rate=0.1, l1=0.001",
                      "learning_rate=0.1, batch_size=4", "learning_rate=0.3, average=false", "learning_rate=0.1, l2=0.001"]
        try check(family: .logistic, params: linear, data: data)
        try check(family: .svm, params: ["learning_rate=0.1", "optimizer=adam, batch_size=8"], data: data)
        try check(family: .mlp, params: ["hidden_layers=[4]", "hidden_layers=[3,2], optimizer=momentum"], data: data)
    }

    private func start(_ family: ModelFamily, _ params: String) throws -> TrainerSnapshot {
        let p = try TrainingParameters.parse(params.isEmpty ? "seed=9" : params + ", seed=9", family: family).get()
        return try XCTUnwrap(TrainerSnapshot.initial(family: family, featureCount: 3,
                                                     classValues: family.objective == .softmax ? [0, 1] : [],
                                                     parameters: p, bufferCapacity: 97, bufferMode: .shuffle))
    }

    /// One visit of `trainer` over `rows` (every 50th row skipped as NULL); its states.
    private func visit(_ trainer: SGDTrainer, _ data: ClusteredData, _ rows: Range<Int>) throws -> [TrainerSnapshot] {
        for i in rows {
            if i % 50 == 0 { trainer.skip(); continue }
            let outcome = try data.features[i].withUnsafeBufferPointer {
                trainer.add(features: $0, label: data.labels[i])
            }.get()
            if outcome == .bufferFull { while trainer.advance() {} }
        }
        trainer.finishPass()
        while trainer.advance() {}
        return try (0..<trainer.memberCount).map { try XCTUnwrap(trainer.snapshot(member: $0)) }
    }

    private func check(family: ModelFamily, params: [String], data: ClusteredData) throws {
        let segments = [0..<400, 400..<1100, 1100..<1500]
        for concurrent in [false, true] {
            var alone = try params.map { try start(family, $0) }
            var fused = alone
            var previous: SGDTrainer?
            for epoch in 0..<2 {
                for rows in segments {
                    alone = try alone.map { try visit(SGDTrainer.make(from: $0, concurrent: concurrent).get(), data, rows)[0] }
                    let trainer = try SGDTrainer.make(fusing: fused, concurrent: concurrent, reusing: previous).get()
                    XCTAssertEqual(trainer.memberCount, params.count)
                    XCTAssertEqual(trainer.isConcurrent, concurrent, "the worker thread trains a part")
                    fused = try visit(trainer, data, rows)
                    previous?.shutdown()
                    previous = trainer
                }
                alone = try alone.map { try XCTUnwrap($0.endingEpoch()) }
                fused = try fused.map { try XCTUnwrap($0.endingEpoch()) }
                XCTAssertEqual(fused.map(\.epochsCompleted), Array(repeating: epoch + 1, count: params.count))
            }
            for m in params.indices {
                XCTAssertEqual(fused[m], alone[m], "\(family.name) member \(m), concurrent \(concurrent)")
                XCTAssertEqual(fused[m].lastEpoch.skipped, 30)
            }
            XCTAssertNotEqual(fused[0].model, fused[1].model)
            previous?.shutdown()
        }
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 0)
    }

    /// Only models that see the same rows in the same order fuse; the refusal names why.
    func testModelsThatSeeOtherRowsDoNotFuse() throws {
        let a = try start(.logistic, "learning_rate=0.1")
        var otherSeed = a
        otherSeed.parameters.seed = 10
        XCTAssertEqual(a.fusionMismatch(with: otherSeed), "the seed")
        XCTAssertEqual(a.fusionMismatch(with: try start(.svm, "")), "the model kind (logistic, svm)")
        XCTAssertNil(a.fusionMismatch(with: try start(.logistic, "learning_rate=0.5, l2=0.1")))
        guard case .failure(.invalidShape(let why)) = SGDTrainer.make(fusing: [a, a, otherSeed], concurrent: false) else {
            return XCTFail("a model of another seed was fused")
        }
        XCTAssertEqual(why, "model 3 of a fused visit differs from model 1 in the seed")
    }

    func testOffsetsShareOnePerFusionClass() throws {
        let logistic = try start(.logistic, "learning_rate=0.1")
        var seeded = logistic
        seeded.parameters.seed = 4
        let svm = try start(.svm, "")
        let classes = FusedVisitPlan.fusionClasses([logistic, svm, logistic, seeded, svm, logistic])
        XCTAssertEqual(classes, [0, 1, 0, 3, 1, 0])
        XCTAssertEqual(FusedVisitPlan.offsets(classes: classes, segments: 8), [0, 1, 0, 2, 1, 0])
        XCTAssertEqual(FusedVisitPlan.offsets(classes: classes, segments: 2), [0, 1, 0, 0, 1, 0])
        XCTAssertNil(FusedVisitPlan.offsets(classes: classes, segments: 0))
        XCTAssertNil(FusedVisitPlan.offsets(classes: [7], segments: 2))
    }

    func testUnitsCutEachPlaceEvenly() throws {
        // Seven models of one class at offset 0, two of another class at offset 0 too.
        let classes = [0, 0, 0, 0, 0, 0, 0, 7, 7], offsets = [0, 0, 0, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(FusedVisitPlan.units(classes: classes, offsets: offsets, configsPerVisit: 3),
                       [0, 0, 0, 1, 1, 2, 2, 3, 3])
        XCTAssertEqual(FusedVisitPlan.units(classes: classes, offsets: offsets, configsPerVisit: 8),
                       [0, 0, 0, 0, 0, 0, 0, 1, 1])
        XCTAssertEqual(FusedVisitPlan.units(classes: classes, offsets: offsets, configsPerVisit: 1),
                       [0, 1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(FusedVisitPlan.units(classes: [0, 0, 0], offsets: [0, 1, 0], configsPerVisit: 4), [0, 1, 0])
        XCTAssertNil(FusedVisitPlan.units(classes: [0], offsets: [0, 1], configsPerVisit: 2))
        XCTAssertNil(FusedVisitPlan.units(classes: [0], offsets: [0], configsPerVisit: 0))
    }
}
