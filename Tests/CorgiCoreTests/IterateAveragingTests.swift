import CorgiCore
import XCTest

/// `average=true`: the model is the mean of the epoch's SGD iterates; training goes on
/// from the iterate.
final class IterateAveragingTests: XCTestCase {
    private let xs: [[Double]] = (0..<40).map { (i: Int) -> [Double] in
        let a: Double = Double(i % 7) / 7 - 0.4
        let b: Double = Double(i % 5) / 5 - 0.5
        return [a, b]
    }
    private var ys: [Double] { xs.map { (x: [Double]) -> Double in 2 * x[0] - x[1] + 0.3 } }

    /// Feeds `rows` in arrival order as one pass.
    private func pass(_ t: SGDTrainer, _ rows: Range<Int>) {
        for i in rows {
            if case .success(.bufferFull) = xs[i].withUnsafeBufferPointer({ t.add(features: $0, label: ys[i]) }) {
                while t.trainStep(maxRows: 7) {}
            }
        }
        t.finishPass()
        while t.trainStep(maxRows: 7) {}
    }

    private func trainer(_ params: String) throws -> SGDTrainer {
        try SGDTrainer.make(kind: .linear, featureCount: 2, classValues: [],
                            parameters: try TrainingParameters.parse(params).get(),
                            bufferCapacity: 16, shufflesBuffer: false).get()
    }

    func testModelIsTheMeanOfTheEpochsIteratesAndRestartsEachEpoch() throws {
        let lr = 0.2
        let t = try trainer("learning_rate=\(lr), decay=0.5")
        // Plain SGD by hand: linear loss (s - y)^2 / 2, rows in arrival order.
        var w = [0.0, 0.0], b = 0.0
        var epochMeans: [[Double]] = []
        for epoch in 0..<2 {
            let rate = lr * pow(0.5, Double(epoch))
            var sum = [0.0, 0.0, 0.0]
            for (x, y) in zip(xs, ys) {
                let g = w[0] * x[0] + w[1] * x[1] + b - y
                w[0] -= rate * g * x[0]; w[1] -= rate * g * x[1]; b -= rate * g
                sum[0] += w[0]; sum[1] += w[1]; sum[2] += b
            }
            epochMeans.append(sum.map { $0 / Double(xs.count) })
            pass(t, 0..<xs.count)
            t.endEpoch()
            let model = t.model
            XCTAssertEqual(model.weights[0], epochMeans[epoch][0], accuracy: 1e-12)
            XCTAssertEqual(model.weights[1], epochMeans[epoch][1], accuracy: 1e-12)
            XCTAssertEqual(model.intercepts[0], epochMeans[epoch][2], accuracy: 1e-12)
            // Training continues from the iterate, not from the mean.
            XCTAssertEqual(t.iterate.weights[0], w[0], accuracy: 1e-12)
            XCTAssertEqual(t.iterate.intercepts[0], b, accuracy: 1e-12)
            XCTAssertNotEqual(t.iterate.weights, model.weights)
        }
        XCTAssertEqual(t.snapshot?.averaging?.count, Int64(xs.count))
        // Without averaging the model is the iterate.
        let plain = try trainer("learning_rate=\(lr), decay=0.5, average=false")
        for _ in 0..<2 { pass(plain, 0..<xs.count); plain.endEpoch() }
        XCTAssertEqual(plain.model.weights[0], w[0], accuracy: 1e-12)
        XCTAssertNil(plain.snapshot?.averaging)
    }

    func testMiniBatchesAverageOneIteratePerBatch() throws {
        let t = try trainer("learning_rate=0.3, batch_size=10")
        pass(t, 0..<xs.count)
        XCTAssertEqual(t.snapshot?.averaging?.count, 4)
    }

    func testAStateResumedMidEpochContinuesBitForBit() throws {
        let whole = try trainer("learning_rate=0.2")
        pass(whole, 0..<25); pass(whole, 25..<40); whole.endEpoch()
        pass(whole, 0..<40)
        let first = try trainer("learning_rate=0.2")
        pass(first, 0..<25)
        let saved = try XCTUnwrap(first.snapshot)
        var bytes = [UInt8](repeating: 0, count: TrainerCodec.encodedSize(saved))
        _ = bytes.withUnsafeMutableBytes { TrainerCodec.encode(saved, into: $0) }
        let decoded = try bytes.withUnsafeBytes { TrainerCodec.decode($0) }.get()
        XCTAssertEqual(decoded, saved)
        let resumed = try SGDTrainer.make(from: decoded).get()
        pass(resumed, 25..<40); resumed.endEpoch()
        pass(resumed, 0..<40)
        XCTAssertEqual(resumed.snapshot, whole.snapshot)
    }

    func testStatesWithoutAveragingDecodeAsTheyWereTrained() throws {
        let plain = try trainer("average=false")
        pass(plain, 0..<40)
        let saved = try XCTUnwrap(plain.snapshot)
        var bytes = [UInt8](repeating: 0, count: TrainerCodec.encodedSize(saved))
        _ = bytes.withUnsafeMutableBytes { TrainerCodec.encode(saved, into: $0) }
        // Version 2: the header section's flags are byte 15 (magic 4, version 2, tag 2,
        // length 4, kind, architecture, mode).
        XCTAssertEqual(Array(bytes[6..<8]), [1, 0], "the header section comes first")
        XCTAssertEqual(bytes[15] & 2, 0, "no averaging flag")
        let decoded = try bytes.withUnsafeBytes { TrainerCodec.decode($0) }.get()
        XCTAssertFalse(decoded.parameters.average)
        XCTAssertNil(decoded.averaging)
        // The flag alone, without the iterate behind it, is refused.
        bytes[15] |= 2
        guard case .failure(let failure) = bytes.withUnsafeBytes({ TrainerCodec.decode($0) }) else { return XCTFail() }
        XCTAssertEqual(failure.reason, "malformed averaging section")
    }

    func testAveragingRemovesTheNoiseOfALargeStep() throws {
        // Noisy linear data, a step far too large for plain SGD to settle.
        var g = Xoshiro256StarStar(seed: 11)
        let truth = [1.5, -2.0, 0.5]
        let rows = (0..<20_000).map { _ in (0..<3).map { _ in g.nextUnitInterval() * 2 - 1 } }
        let labels = rows.map { x in zip(x, truth).reduce(0) { $0 + $1.0 * $1.1 } + (g.nextUnitInterval() - 0.5) }
        func distance(_ params: String) throws -> Double {
            let t = try SGDTrainer.make(kind: .linear, featureCount: 3, classValues: [],
                                        parameters: try TrainingParameters.parse(params).get(),
                                        bufferCapacity: 2_000, shufflesBuffer: true).get()
            for (x, y) in zip(rows, labels) {
                if case .success(.bufferFull) = x.withUnsafeBufferPointer({ t.add(features: $0, label: y) }) {
                    while t.trainStep(maxRows: 1_000) {}
                }
            }
            t.finishPass(); while t.trainStep(maxRows: 1_000) {}; t.endEpoch()
            return zip(t.model.weights, truth).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        }
        let raw = try distance("learning_rate=0.5, average=false")
        let averaged = try distance("learning_rate=0.5")
        XCTAssertLessThan(averaged, raw / 3, "averaged \(averaged) vs raw \(raw)")
        XCTAssertLessThan(averaged, 0.05)
    }
}
