@testable import CorgiCore
import XCTest

/// A grouped pass's staged row path (the backend stages checked rows, the worker writes
/// them into the groups' buffers and trains them) gives every group the model its own
/// trainer gives, fed row by row.
final class GroupRowStagerTests: XCTestCase {
    /// Buffer capacities from 1 row to more than a staging chunk, rows interleaved across
    /// the groups, NULL rows counted: bit for bit the per-row trainers, with and without
    /// a worker thread, over two epochs.
    func testStagedGroupsTrainAsTheirOwnTrainers() throws {
        let data = ClusteredData(rows: 9000, dimension: 5, seed: 33)
        let p = try TrainingParameters.parse("learning_rate=0.1, seed=9, batch_size=4").get()
        let capacities = [1, 3, 17, 250, 2500]
        func trainers() throws -> [SGDTrainer] {
            try capacities.map {
                try SGDTrainer.make(kind: .logistic, featureCount: 5, classValues: [], parameters: p,
                                    bufferCapacity: $0, bufferMode: .shuffle).get()
            }
        }
        func group(_ i: Int) -> Int { (i &* 2_654_435_761) % 1009 % capacities.count }
        for withWorker in [false, true] {
            let reference = try trainers(), staged = try trainers()
            let worker = withWorker ? try XCTUnwrap(SharedTrainingWorker.make()) : nil
            let stager = try XCTUnwrap(GroupRowStager(trainers: staged, worker: worker))
            for epoch in 0..<2 {
                for i in 0..<data.labels.count {
                    let g = group(i)
                    if i % 97 == 0 {    // a row with a NULL
                        reference[g].skip()
                        stager.skip(group: g)
                        continue
                    }
                    let added = try data.features[i].withUnsafeBufferPointer {
                        try reference[g].add(features: $0, label: data.labels[i]).get()
                    }
                    if added == .bufferFull { while reference[g].advance() {} }
                    let full = try data.features[i].withUnsafeBufferPointer {
                        try stager.add(group: g, features: $0, label: data.labels[i]).get()
                    }
                    if full { while stager.advance() {} }
                }
                for trainer in reference {
                    trainer.finishPass()
                    while trainer.advance() {}
                    XCTAssertTrue(trainer.endEpoch())
                }
                stager.finishPass()
                while stager.advance() {}
                for trainer in staged {
                    while trainer.advance() {}
                    XCTAssertTrue(trainer.endEpoch())
                }
                for g in capacities.indices {
                    XCTAssertEqual(staged[g].snapshot, reference[g].snapshot,
                                   "group \(g), epoch \(epoch), worker \(withWorker)")
                }
            }
            XCTAssertEqual(stager.lostRows, 0)
            XCTAssertEqual(staged[0].snapshot?.lastEpoch.skipped, reference[0].snapshot?.lastEpoch.skipped)
            XCTAssertGreaterThan(reference[0].snapshot?.lastEpoch.skipped ?? 0, 0)
            stager.shutdown()
            XCTAssertEqual(SGDTrainer.liveWorkerThreads, 0)
        }
        XCTAssertNotNil(SharedTrainingWorker.make().map { $0.release() }, "the slot is free again")
    }

    /// Staging chunks hold at most ~0.5 MB (2,048 narrow rows, fewer wide ones, never
    /// fewer than 16), so wide rows do not stage megabytes beside the counted buffers; a
    /// pass of wide rows in small chunks trains as its own trainer does.
    func testChunksAreSizedByRowWidth() throws {
        let p = try TrainingParameters.parse("seed=3, learning_rate=0.01").get()
        func stager(_ width: Int) throws -> (GroupRowStager, SGDTrainer) {
            let t = try SGDTrainer.make(kind: .logistic, featureCount: width, classValues: [], parameters: p,
                                        bufferCapacity: 50, bufferMode: .shuffle).get()
            return (try XCTUnwrap(GroupRowStager(trainers: [t], worker: nil)), t)
        }
        XCTAssertEqual(try stager(28).0.chunkRows, 2048)
        XCTAssertEqual(try stager(500).0.chunkRows, 130)
        XCTAssertEqual(try stager(100_000).0.chunkRows, 16)
        let (wide, staged) = try stager(4000)
        let reference = try SGDTrainer.make(kind: .logistic, featureCount: 4000, classValues: [], parameters: p,
                                            bufferCapacity: 50, bufferMode: .shuffle).get()
        var g = Xoshiro256StarStar(seed: 8)
        for i in 0..<300 {
            let row = (0..<4000).map { _ in g.nextUnitInterval() - 0.5 }
            let label: Double = i % 3 == 0 ? 1 : 0
            if try row.withUnsafeBufferPointer({ try reference.add(features: $0, label: label).get() }) == .bufferFull {
                while reference.advance() {}
            }
            if try row.withUnsafeBufferPointer({ try wide.add(group: 0, features: $0, label: label).get() }) {
                while wide.advance() {}
            }
        }
        reference.finishPass(); while reference.advance() {}
        wide.finishPass(); while wide.advance() {}
        XCTAssertEqual(staged.snapshot, reference.snapshot)
    }

    /// A refused row is reported as the trainer reports it, and nothing is staged.
    func testRefusedRowsAreReportedAndNotStaged() throws {
        let p = try TrainingParameters.parse("seed=1").get()
        let trainer = try SGDTrainer.make(kind: .logistic, featureCount: 2, classValues: [], parameters: p,
                                          bufferCapacity: 4, bufferMode: .shuffle).get()
        let stager = try XCTUnwrap(GroupRowStager(trainers: [trainer], worker: nil))
        let bad: [Double] = [1, .infinity]
        XCTAssertEqual(bad.withUnsafeBufferPointer { stager.add(group: 0, features: $0, label: 1) },
                       .failure(.nonFiniteFeature(index: 1, value: .infinity)))
        XCTAssertEqual([1.0, 2.0].withUnsafeBufferPointer { stager.add(group: 0, features: $0, label: 0.5) },
                       .failure(.invalidLabel(value: 0.5)))
        XCTAssertEqual([1.0].withUnsafeBufferPointer { stager.add(group: 0, features: $0, label: 1) },
                       .failure(.wrongFeatureCount(got: 1, expected: 2)))
        stager.finishPass()
        while stager.advance() {}
        XCTAssertEqual(trainer.snapshot?.current.rows, 0)
    }

    /// Streaming buffers decide row by row, and trainers with a thread of their own train
    /// there: neither can be staged.
    func testStreamingOrConcurrentTrainersAreNotStaged() throws {
        let p = try TrainingParameters.parse("seed=1").get()
        let streaming = try SGDTrainer.make(kind: .logistic, featureCount: 2, classValues: [], parameters: p,
                                            bufferCapacity: 4, bufferMode: .slidingWindow).get()
        XCTAssertNil(GroupRowStager(trainers: [streaming], worker: nil))
        let concurrent = try SGDTrainer.make(kind: .logistic, featureCount: 2, classValues: [], parameters: p,
                                             bufferCapacity: 4, bufferMode: .shuffle, concurrent: true).get()
        XCTAssertNil(GroupRowStager(trainers: [concurrent], worker: nil))
        concurrent.shutdown()
        XCTAssertNil(GroupRowStager(trainers: [], worker: nil))
    }

    /// Abandoned mid-pass (an ERROR or a cancel in the backend): shutdown joins the worker
    /// with chunks still queued, and the process's worker slot is free again.
    func testShutdownMidPassJoinsTheWorker() throws {
        let data = ClusteredData(rows: 20_000, dimension: 8, seed: 4)
        let p = try TrainingParameters.parse("seed=2").get()
        let trainers = try (0..<50).map { _ in
            try SGDTrainer.make(kind: .logistic, featureCount: 8, classValues: [], parameters: p,
                                bufferCapacity: 40, bufferMode: .shuffle).get()
        }
        let worker = try XCTUnwrap(SharedTrainingWorker.make())
        let stager = try XCTUnwrap(GroupRowStager(trainers: trainers, worker: worker))
        for i in 0..<data.labels.count {
            let full = try data.features[i].withUnsafeBufferPointer {
                try stager.add(group: i % 50, features: $0, label: data.labels[i]).get()
            }
            if full { _ = stager.advance() }    // hand over without waiting the queue out
        }
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 1)
        stager.shutdown()
        XCTAssertEqual(SGDTrainer.liveWorkerThreads, 0)
        XCTAssertNotNil(SharedTrainingWorker.make().map { $0.release() }, "the slot is free again")
    }
}
