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
                                    (.softmax, [-2, 5, 7.5], 0.001)] {
            var p = try TrainingParameters.parse("seed=5, learning_rate=0.05, validation_table=vé").get()
            p.l1 = l1
            let trainer = try SGDTrainer.make(kind: kind, featureCount: 3, classValues: classes,
                                              parameters: p, bufferCapacity: 4, shufflesBuffer: true).get()
            var generator = Xoshiro256StarStar(seed: 1)
            for i in 0..<10 {
                let x = (0..<3).map { _ in generator.nextUnitInterval() }
                let label: Double = kind == .softmax ? classes[i % 3] : (kind == .linear ? Double(i) : Double(i % 2))
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
            XCTAssertEqual(trailing.reason, "trailing bytes after the model")
            var wrongVersion = bytes; wrongVersion[4] = 9
            guard case .failure(let version) = decode(wrongVersion) else { return XCTFail() }
            XCTAssertEqual(version.reason, "model format version 9 is not supported (this corgi reads version 1)")
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
        // Offsets (0-based): block_mb 60, epochs 96, buffers 100, rows 108, skipped 116.
        let maxInt64: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
        for (offset, bytes) in [(108, maxInt64), (116, maxInt64), (100, maxInt64), (96, [0xff, 0xff, 0xff, 0xff]),
                                (60, Array((Double.infinity).bitPattern.littleEndianBytes)),
                                (60, Array((Double.nan).bitPattern.littleEndianBytes)),
                                (60, Array((1025.0).bitPattern.littleEndianBytes)),
                                (32, [0, 0, 0, 0])] {   // batch_size 0
            guard case .failure = decode(try fresh(patching: offset, with: bytes)) else {
                return XCTFail("offset \(offset) accepted \(bytes)")
            }
        }
        // The bounds themselves are accepted, and closing an epoch at the limit is refused.
        let atLimit = try fresh(patching: 96, with: Array(UInt32(TrainerSnapshot.maximumEpochs).littleEndianBytes))
        let snapshot = try decode(atLimit).get()
        XCTAssertNil(snapshot.endingEpoch())
        XCTAssertNoThrow(try decode(fresh(patching: 108, with: Array(UInt64(TrainerSnapshot.maximumRows).littleEndianBytes))).get())
        // Every parse result passes the decoder's check.
        XCTAssertNil(try TrainingParameters.parse("learning_rate=1e300, block_mb=1024, max_buffer_mb=1048576, batch_size=1000000").get().validationFailure())
    }
}

private extension FixedWidthInteger {
    var littleEndianBytes: [UInt8] { (0..<(bitWidth / 8)).map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) } }
}
