import CorgiCore
import XCTest

/// Ordering properties of the two streaming baselines, simulated on row indices: the
/// slots hold input indices, and "training" records the index.
final class StreamingOrderTests: XCTestCase {
    /// Runs a pass of `rows` arrivals; returns the training order (input indices) and
    /// the number of memory steps. The end-of-pass flush is appended in slot order.
    private func simulate(_ kind: StreamingOrder.Kind, rows: Int, capacity: Int, seed: UInt64)
        -> (order: [Int], memorySteps: Int, kept: [Int])
    {
        var order = StreamingOrder(kind: kind, capacity: capacity, seed: seed)!
        var slots = [Int](repeating: -1, count: capacity)
        var trained: [Int] = [], memory = 0
        for row in 0..<rows {
            let step = order.arrive()
            if let slot = step.evictSlot { trained.append(slots[slot]) }
            if let slot = step.storeSlot { slots[slot] = row }
            if step.trainArriving { trained.append(row) }
            if let slot = step.memorySlot { trained.append(slots[slot]); memory += 1 }
        }
        let kept = slots.filter { $0 >= 0 }
        return (trained + kept, memory, kept)
    }

    func testSlidingWindowTrainsEveryRowOnceAndOnlyLocally() {
        for (rows, capacity) in [(1, 1), (5, 10), (1000, 1), (1000, 100), (5000, 500)] {
            let (order, memory, _) = simulate(.slidingWindow, rows: rows, capacity: capacity, seed: 9)
            XCTAssertEqual(memory, 0)
            XCTAssertEqual(order.sorted(), Array(0..<rows), "every row exactly once")
            // A row cannot be trained before it arrived: at training position p (before the
            // flush) the row's index is at most p + capacity.
            for (position, row) in order.prefix(max(0, rows - capacity)).enumerated() {
                XCTAssertLessThanOrEqual(row, position + capacity)
            }
        }
        // Capacity 1 is arrival order.
        XCTAssertEqual(simulate(.slidingWindow, rows: 50, capacity: 1, seed: 3).order, Array(0..<50))
    }

    func testSlidingWindowStaysLocalOnSortedData() {
        // On label-sorted data (first half 0, second half 1) the window barely mixes: in
        // the first quarter of the training order, almost every row is from class 0.
        let (order, _, _) = simulate(.slidingWindow, rows: 10_000, capacity: 1_000, seed: 4)
        let early = order.prefix(2_500).filter { $0 >= 5_000 }.count
        XCTAssertEqual(early, 0)
    }

    func testReservoirTrainsEveryDroppedRowOnceAndKeepsAUniformSample() {
        let rows = 2_000, capacity = 200
        var inclusion = [Int](repeating: 0, count: rows)
        let seeds = 400
        for seed in 0..<seeds {
            let (order, memory, kept) = simulate(.reservoir(memoryProbability: 0.1), rows: rows,
                                                 capacity: capacity, seed: UInt64(seed))
            // The simulation appends the kept rows as a flush; the trainer drops them.
            let trained = order.dropLast(kept.count)
            XCTAssertEqual(trained.count, rows - capacity + memory, "each dropped row once, plus memory steps")
            XCTAssertEqual(Set(trained).union(kept).count, rows, "every row is dropped (trained) or kept")
            XCTAssertEqual(kept.count, capacity)
            for row in kept { inclusion[row] += 1 }
        }
        // Algorithm R keeps each row with probability capacity/rows = 0.1: compare the
        // first and the last fifth of the rows (400 rows x 400 seeds each).
        let first = inclusion[0..<400].reduce(0, +), last = inclusion[1600..<2000].reduce(0, +)
        XCTAssertEqual(Double(first) / Double(400 * seeds), 0.1, accuracy: 0.01)
        XCTAssertEqual(Double(last) / Double(400 * seeds), 0.1, accuracy: 0.01)
    }

    func testReservoirMemoryStepsFollowTheirProbability() {
        let (_, memory, _) = simulate(.reservoir(memoryProbability: 0.25), rows: 40_100, capacity: 100, seed: 2)
        // 40,000 steps after the reservoir filled, each with probability 0.25.
        XCTAssertEqual(Double(memory) / 40_000, 0.25, accuracy: 0.01)
        XCTAssertEqual(simulate(.reservoir(memoryProbability: 0), rows: 1_000, capacity: 10, seed: 2).memorySteps, 0)
    }

    func testStreamingTrainersAreDeterministicAndRowCountsAreRight() throws {
        let data = ClusteredData(rows: 3_000, dimension: 4, seed: 5)
        for mode in [BufferMode.slidingWindow, .reservoir] {
            var weights: [[Double]] = []
            for _ in 0..<2 {
                let t = try SGDTrainer.make(kind: .logistic, featureCount: 4, classValues: [],
                                            parameters: try TrainingParameters.parse("buffer_fraction=0.1").get(),
                                            bufferCapacity: 300, bufferMode: mode, concurrent: true).get()
                XCTAssertFalse(t.concurrent, "streaming modes train inline")
                for (x, y) in zip(data.features, data.labels) {
                    XCTAssertEqual(x.withUnsafeBufferPointer { t.add(features: $0, label: y) }.message, "accepted")
                }
                t.finishPass(); while t.advance() {}; t.endEpoch()
                if mode == .slidingWindow {
                    XCTAssertEqual(t.lastEpoch.rows, 3_000)
                } else {
                    // 2,700 dropped rows plus ~10% memory steps; the 300 kept rows are not flushed.
                    XCTAssertGreaterThan(t.lastEpoch.rows, 2_850)
                    XCTAssertLessThan(t.lastEpoch.rows, 3_100)
                }
                let snapshot = try XCTUnwrap(t.snapshot)
                XCTAssertEqual(snapshot.bufferMode, mode)
                weights.append(snapshot.model.weights)
            }
            XCTAssertEqual(weights[0], weights[1])
        }
    }

    func testOnClusteredDataTheStreamingBaselinesTrailCorgiPile() throws {
        // The paper's finding: a window or reservoir of 10% does not undo label order.
        // (Plain SGD iterates: the order's effect, not what averaging makes of it.)
        let data = ClusteredData(rows: 20_000, dimension: 10, seed: 4)
        let p = try TrainingParameters.parse("learning_rate=0.5, seed=9, average=false").get()
        func accuracy(_ mode: BufferMode, order: [Int]) throws -> Double {
            let t = try SGDTrainer.make(kind: .logistic, featureCount: 10, classValues: [], parameters: p,
                                        bufferCapacity: 2_000, bufferMode: mode).get()
            for i in order {
                if case .success(.bufferFull) = data.features[i].withUnsafeBufferPointer({ t.add(features: $0, label: data.labels[i]) }) {
                    while t.advance() {}
                }
            }
            t.finishPass(); while t.advance() {}; t.endEpoch()
            return data.accuracy(t.model)
        }
        guard case .success(var blocks) = BlockShuffleOrder.make(pageCount: 200, pagesPerBlock: 1, seed: 3)
        else { return XCTFail() }
        var corgiOrder: [Int] = []
        while let b = blocks.nextPage() { corgiOrder += (Int(b) * 100..<(Int(b) + 1) * 100) }
        let corgiPile = try accuracy(.shuffle, order: corgiOrder)
        let window = try accuracy(.slidingWindow, order: Array(0..<20_000))
        let reservoir = try accuracy(.reservoir, order: Array(0..<20_000))
        XCTAssertLessThan(window, corgiPile - 0.05, "sliding window \(window) vs corgipile \(corgiPile)")
        XCTAssertLessThan(reservoir, corgiPile - 0.01, "mrs \(reservoir) vs corgipile \(corgiPile)")
    }
}
