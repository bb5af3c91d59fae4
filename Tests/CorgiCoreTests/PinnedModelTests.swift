import CorgiCore
import XCTest

/// Models pinned bit for bit before the trainer is cut into a model, an optimizer and a
/// tuple buffer: every refactoring must reproduce them exactly. `average=false` is the
/// arithmetic of 0.1.0 (averaging came in 0.1.2); with it the encoded state is also the
/// byte layout 0.1.0 wrote (format version 1, no flag 2). The digests and the version-1
/// model below were produced by 0.1.0's own code (commit f08e946~1) running this file.
final class PinnedModelTests: XCTestCase {
    /// 600 seeded rows of 5 features; labels for each model kind derive from them.
    private struct Rows {
        var features: [[Double]] = []
        var raw: [Double] = []
        init() {
            var g = Xoshiro256StarStar(seed: 2024)
            for _ in 0..<600 {
                let x = (0..<5).map { _ in g.nextUnitInterval() * 2 - 1 }
                features.append(x)
                raw.append(1.5 * x[0] - x[1] + 0.5 * x[2] * x[3] + 0.3 * (g.nextUnitInterval() - 0.5))
            }
        }
        func label(_ i: Int, _ kind: ModelKind) -> Double {
            switch kind {
            case .linear, .svr: return raw[i]
            case .logistic: return raw[i] > 0 ? 1 : 0
            case .svm: return raw[i] > 0 ? 1 : -1
            case .softmax: return raw[i] < -0.5 ? 7 : (raw[i] < 0.5 ? -2 : 3)
            }
        }
    }

    /// FNV-1a, 64 bits, over the encoded state.
    private func digest(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return String(h, radix: 16)
    }

    /// Version 1, the layout 0.1.0 wrote (the digests were taken of it).
    private func encoded(_ snapshot: TrainerSnapshot) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4096)
        let written = bytes.withUnsafeMutableBytes { TrainerCodec.encodeVersion1(snapshot, into: $0) } ?? 0
        return Array(bytes[0..<written])
    }

    /// Trains 2 epochs of 2 passes each (rows 0..<350, then the rest), as the fast path
    /// and a hop between segments do.
    private func train(_ kind: ModelKind, _ params: String, _ mode: BufferMode, capacity: Int,
                       concurrent: Bool = false) throws -> [UInt8] {
        let rows = Rows()
        let classes: [Double] = kind == .softmax ? [-2, 3, 7] : []
        var p = try TrainingParameters.parse(params).get()
        p.average = false
        var trainer = try SGDTrainer.make(kind: kind, featureCount: 5, classValues: classes, parameters: p,
                                          bufferCapacity: capacity, bufferMode: mode, concurrent: concurrent).get()
        for _ in 0..<2 {
            for range in [0..<350, 350..<600] {
                for i in range {
                    let outcome = rows.features[i].withUnsafeBufferPointer {
                        trainer.add(features: $0, label: rows.label(i, kind))
                    }
                    if case .success(.bufferFull) = outcome { while trainer.advance() {} }
                    if case .failure(let f) = outcome { XCTFail("\(f)") }
                }
                trainer.finishPass()
                while trainer.advance() {}
                // Hop: the state leaves the trainer and comes back, as between SQL calls.
                let state = try XCTUnwrap(trainer.snapshot)
                trainer.shutdown()
                trainer = try SGDTrainer.make(from: state, concurrent: concurrent).get()
            }
            XCTAssertTrue(trainer.endEpoch())
        }
        defer { trainer.shutdown() }
        return encoded(try XCTUnwrap(trainer.snapshot))
    }

    /// (name, kind, params, mode, buffer rows) -> digest of the encoded state after training.
    private let pinned: [(String, ModelKind, String, BufferMode, Int, String)] = [
        ("linear corgipile", .linear, "learning_rate=0.05, seed=3", .shuffle, 64, "8060dcb7b4e3fea4"),
        ("logistic corgipile l2 batch", .logistic, "learning_rate=0.2, l2=0.01, batch_size=4, seed=5", .shuffle, 100, "f7adb9871f242ba"),
        ("svm none l1", .svm, "learning_rate=0.1, l1=0.001, seed=7", .arrivalOrder, 50, "6618d2b0eb1c1048"),
        ("softmax corgipile no intercept", .softmax, "learning_rate=0.3, intercept=false, decay=0.8, seed=9", .shuffle, 77, "70257b208779e8df"),
        ("logistic sliding window", .logistic, "learning_rate=0.2, seed=11", .slidingWindow, 60, "6bfc57dd9836a1d6"),
        ("linear mrs", .linear, "learning_rate=0.05, buffer_fraction=0.2, seed=13", .reservoir, 60, "c40536f6d6731e74"),
    ]

    func testPinnedModelsAreReproducedBitForBit() throws {
        for (name, kind, params, mode, capacity, expected) in pinned {
            let bytes = try train(kind, params, mode, capacity: capacity)
            XCTAssertEqual(digest(bytes), expected, "\(name)")
            XCTAssertEqual(bytes[7] & 2, 0, "\(name): no averaging flag, the 0.1.0 layout")
        }
    }

    func testTheWorkerThreadTrainsTheSameBits() throws {
        for (name, kind, params, mode, capacity, _) in pinned where !mode.isStreaming {
            XCTAssertEqual(try train(kind, params, mode, capacity: capacity, concurrent: true),
                           try train(kind, params, mode, capacity: capacity), "\(name)")
        }
    }

    /// A logistic model as 0.1.0 wrote it (format version 1): it must still load and
    /// predict the same numbers.
    static let version1Model = """
435247490100020105000000000000009a9999999999c93f666666666666ee3f040000007b14ae47e17a843f00000000
000000009a9999999999b93f000000000000244000000000000090400500000000000000000000006400000000000000
020000000000000000000000000000000000000000000000000000000000000000000000580200000000000000000000
00000000ce3d41020658644000000000000000002ec9adf326a00940aed348c2d57efabfe43099f07de868bfbaa2bee3
00bdaf3f60145ba5afb6d13f4eab1748efeeaa3f
"""

    func testAVersion1ModelStillLoadsAndPredicts() throws {
        let hex = Array(PinnedModelTests.version1Model.utf8.filter { $0 != UInt8(ascii: "\n") })
        var bytes: [UInt8] = []
        var i = 0
        while i + 1 < hex.count {
            bytes.append(UInt8(String(decoding: hex[i...(i + 1)], as: UTF8.self), radix: 16)!)
            i += 2
        }
        let snapshot = try bytes.withUnsafeBytes { TrainerCodec.decode($0) }.get()
        XCTAssertEqual(snapshot.model.kind, .logistic)
        XCTAssertFalse(snapshot.parameters.average)
        XCTAssertEqual(snapshot.epochsCompleted, 2)
        let x: [Double] = [0.5, -0.25, 0.125, 1, -1]
        let p = try XCTUnwrap(x.withUnsafeBufferPointer { snapshot.model.probabilities($0) })
        XCTAssertEqual(p[1], PinnedModelTests.version1Probability)
        XCTAssertEqual(encoded(snapshot), bytes, "re-encodes to the same bytes")
    }

    static let version1Probability = 0.8644823186891378
}

