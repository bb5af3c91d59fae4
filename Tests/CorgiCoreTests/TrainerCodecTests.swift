import CorgiCore
import XCTest

final class TrainerCodecTests: XCTestCase {
    private func encode(_ snapshot: TrainerSnapshot) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: TrainerCodec.encodedSize(snapshot))
        let written = bytes.withUnsafeMutableBytes { TrainerCodec.encode(snapshot, into: $0) }
        XCTAssertEqual(written, bytes.count)
        return bytes
    }

    private func decode(_ bytes: [UInt8]) -> Result<TrainerSnapshot, TrainerCodec.DecodeFailure> {
        bytes.withUnsafeBytes { TrainerCodec.decode($0) }
    }

    /// A trained snapshot of each model kind, with L1 state for one of them.
    private func trainedSnapshots() throws -> [TrainerSnapshot] {
        var out: [TrainerSnapshot] = []
        for (kind, classes, l1) in [(ModelKind.linear, [Double](), 0.0), (.logistic, [], 0.01), (.svm, [], 0),
                                    (.softmax, [-2, 5, 7.5], 0.001), (.svr, [], 0)] {
            var p = kind == .svr
                ? try TrainingParameters.parse("seed=5, learning_rate=0.05, validation_table=vé, svr_epsilon=0.25",
                                               family: .svr).get()
                : try TrainingParameters.parse("seed=5, learning_rate=0.05, validation_table=vé").get()
            p.l1 = l1
            if kind == .logistic { p.classWeights = [0.5, 3] }   // flag 16 and its section bytes, fuzzed too
            let trainer = try SGDTrainer.make(kind: kind, featureCount: 3, classValues: classes,
                                              parameters: p, bufferCapacity: 4, shufflesBuffer: true).get()
            var generator = Xoshiro256StarStar(seed: 1)
            for i in 0..<10 {
                let x = (0..<3).map { _ in generator.nextUnitInterval() }
                let label: Double = kind == .softmax ? classes[i % 3] : (kind.isClassifier ? Double(i % 2) : Double(i))
                if case .success(.bufferFull) = x.withUnsafeBufferPointer({ trainer.add(features: $0, label: label) }) {
                    while trainer.trainStep(maxRows: 3) {}
                }
            }
            trainer.finishPass()
            while trainer.trainStep(maxRows: 3) {}
            trainer.endEpoch()
            out.append(try XCTUnwrap(trainer.snapshot))
        }
        return out
    }

    func testRoundTripForEveryModelKind() throws {
        for snapshot in try trainedSnapshots() {
            let decoded = try decode(encode(snapshot)).get()
            XCTAssertEqual(decoded, snapshot)
            XCTAssertEqual(encode(decoded), encode(snapshot))
            XCTAssertNotEqual(snapshot.model.weights, [Double](repeating: 0, count: snapshot.model.weights.count))
        }
    }

    func testResumedTrainerContinuesBitForBit() throws {
        let snapshot = try trainedSnapshots()[1]
        let resumed = try SGDTrainer.make(from: try decode(encode(snapshot)).get()).get()
        XCTAssertEqual(resumed.snapshot, snapshot)
        XCTAssertEqual(resumed.epochsCompleted, 1)
        XCTAssertEqual(resumed.lastEpoch.rows, 10)
    }

    func testRejectsEveryTruncationAndCorruptionWithoutTrapping() throws {
        for snapshot in try trainedSnapshots() {
            let bytes = encode(snapshot)
            for length in 0..<bytes.count {
                guard case .failure = decode(Array(bytes[0..<length])) else { return XCTFail("truncation to \(length) accepted") }
            }
            guard case .failure(let trailing) = decode(bytes + [0]) else { return XCTFail() }
            XCTAssertEqual(trailing.reason, "truncated section header")
            guard case .failure(let unknown) = decode(bytes + [7, 0, 0, 0, 0, 0]) else { return XCTFail() }
            XCTAssertEqual(unknown.reason, "unknown section 7")
            guard case .failure(let repeated) = decode(bytes + [1, 0, 0, 0, 0, 0]) else { return XCTFail() }
            XCTAssertEqual(repeated.reason, "section 1 is repeated or out of order")
            var wrongVersion = bytes; wrongVersion[4] = 9
            guard case .failure(let version) = decode(wrongVersion) else { return XCTFail() }
            XCTAssertEqual(version.reason, "model format version 9 is not supported (this corgi reads versions 1 and 2)")
            // Version 1 (what 0.1.x wrote): the same checks (svr and class weights came with version 2).
            if snapshot.model.kind != .svr && snapshot.parameters.classWeights == nil {
                var v1 = [UInt8](repeating: 0, count: 4096)
                let v1Length = try XCTUnwrap(v1.withUnsafeMutableBytes { TrainerCodec.encodeVersion1(snapshot, into: $0) })
                v1 = Array(v1[0..<v1Length])
                XCTAssertEqual(try decode(v1).get(), snapshot)
                for length in 0..<v1.count {
                    guard case .failure = decode(Array(v1[0..<length])) else { return XCTFail("v1 truncation to \(length) accepted") }
                }
                guard case .failure(let v1Trailing) = decode(v1 + [0]) else { return XCTFail() }
                XCTAssertEqual(v1Trailing.reason, "trailing bytes after the model")
            } else if snapshot.model.kind == .svr {
                var v1 = [UInt8](repeating: 0, count: 4096)
                let v1Length = try XCTUnwrap(v1.withUnsafeMutableBytes { TrainerCodec.encodeVersion1(snapshot, into: $0) })
                guard case .failure(let refused) = decode(Array(v1[0..<v1Length])) else { return XCTFail("v1 svr accepted") }
                XCTAssertEqual(refused.reason, "unknown model kind")
            }
            // Flip every byte in turn: decoding must answer (success or failure), never trap.
            for i in 0..<bytes.count {
                var corrupted = bytes; corrupted[i] ^= 0xFF
                _ = decode(corrupted)
            }
        }
        var generator = Xoshiro256StarStar(seed: 3)
        for _ in 0..<2000 {
            let random = (0..<Int(generator.next(below: 200))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = decode([0x43, 0x52, 0x47, 0x49, 1, 0] + random)
            _ = decode([0x43, 0x52, 0x47, 0x49, 2, 0] + random)
            _ = decode([0x43, 0x52, 0x47, 0x49, 2, 0, 1, 0, 16, 0, 0, 0] + random)
        }
    }

    /// Overwrites `count` bytes at `offset` of a fresh state's encoding.
    private func fresh(patching offset: Int, with bytes: [UInt8]) throws -> [UInt8] {
        let p = try TrainingParameters.parse("").get()
        var encoded = encode(try XCTUnwrap(TrainerSnapshot.initial(
            kind: .logistic, featureCount: 3, classValues: [], parameters: p, bufferCapacity: 10, bufferMode: .shuffle)))
        for (i, b) in bytes.enumerated() { encoded[offset + i] = b }
        return encoded
    }

    func testCountersAndParametersAreBoundedByTheParsersRules() throws {
        // Version-2 offsets (0-based): batch_size 50, block_mb 78, momentum 102, epochs 152,
        // buffers 156, rows 164, skipped 172 (pg_regress's hardening test uses them, 1-based).
        let maxInt64: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
        for (offset, bytes) in [(164, maxInt64), (172, maxInt64), (156, maxInt64), (152, [0xff, 0xff, 0xff, 0xff]),
                                (78, Array((Double.infinity).bitPattern.littleEndianBytes)),
                                (78, Array((Double.nan).bitPattern.littleEndianBytes)),
                                (78, Array((1025.0).bitPattern.littleEndianBytes)),
                                (102, Array((1.0).bitPattern.littleEndianBytes)),   // momentum 1
                                (50, [0, 0, 0, 0])] {   // batch_size 0
            guard case .failure = decode(try fresh(patching: offset, with: bytes)) else {
                return XCTFail("offset \(offset) accepted \(bytes)")
            }
        }
        // The bounds themselves are accepted, and closing an epoch at the limit is refused.
        XCTAssertEqual(try decode(fresh(patching: 78, with: Array((1024.0).bitPattern.littleEndianBytes))).get().parameters.blockMB, 1024)
        let atLimit = try fresh(patching: 152, with: Array(UInt32(TrainerSnapshot.maximumEpochs).littleEndianBytes))
        let snapshot = try decode(atLimit).get()
        XCTAssertNil(snapshot.endingEpoch())
        XCTAssertNoThrow(try decode(fresh(patching: 164, with: Array(UInt64(TrainerSnapshot.maximumRows).littleEndianBytes))).get())
        // Every parse result passes the decoder's check.
        XCTAssertNil(try TrainingParameters.parse("learning_rate=1e300, block_mb=1024, max_buffer_mb=1048576, batch_size=1000000").get().validationFailure())
    }
}

private extension FixedWidthInteger {
    var littleEndianBytes: [UInt8] { (0..<(bitWidth / 8)).map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) } }
}
