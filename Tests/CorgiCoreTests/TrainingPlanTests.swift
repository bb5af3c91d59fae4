import CorgiCore
import XCTest

/// The decisions corgi.train makes before it trains, each in one place.
final class TrainingPlanTests: XCTestCase {
    func testBufferRowsPerShuffle() {
        XCTAssertEqual(ShuffleMode.corgipile.bufferRows(usableRows: 1_000_000, bufferFraction: 0.1), 100_000)
        XCTAssertEqual(ShuffleMode.corgipile.bufferRows(usableRows: 7, bufferFraction: 0.1), 1, "ceil(0.7)")
        XCTAssertEqual(ShuffleMode.mrs.bufferRows(usableRows: 1_001, bufferFraction: 0.1), 101, "ceil")
        XCTAssertEqual(ShuffleMode.corgipile.bufferRows(usableRows: 0, bufferFraction: 0.5), 1)
        XCTAssertEqual(ShuffleMode.none.bufferRows(usableRows: 1_000_000, bufferFraction: 0.1), 65_536)
        XCTAssertEqual(ShuffleMode.once.bufferRows(usableRows: 300, bufferFraction: 0.1), 300)
        XCTAssertEqual(ShuffleMode.blockOnly.bufferRows(usableRows: 0, bufferFraction: 0.1), 1)
        XCTAssertEqual(ShuffleMode.slidingWindow.bufferRows(usableRows: Int64.max, bufferFraction: 1), Int64(Double(Int64.max / 2)), "no overflow")
    }

    /// Small data shuffled fully: corgipile's buffer holds every row when two buffers of
    /// them fit in full_shuffle_mb and max_buffer_mb; above either, buffer_fraction.
    func testSmallDataIsShuffledFully() {
        // 28 features: (28 * 8 + 12) * 2 = 472 bytes per row, two buffers.
        let fits = Int64(64 * 1_048_576 / 472)
        XCTAssertEqual(ShuffleMode.corgipile.bufferRows(usableRows: fits, bufferFraction: 0.1, featureCount: 28,
                                                        fullShuffleMB: 64, maxBufferMB: 1024), fits)
        XCTAssertEqual(ShuffleMode.corgipile.bufferRows(usableRows: fits + 1, bufferFraction: 0.1, featureCount: 28,
                                                        fullShuffleMB: 64, maxBufferMB: 1024), (fits + 1 + 9) / 10,
                       "one row more than the floor holds: buffer_fraction")
        XCTAssertEqual(ShuffleMode.corgipile.bufferRows(usableRows: 1000, bufferFraction: 0.1, featureCount: 28,
                                                        fullShuffleMB: 64, maxBufferMB: 0.1), 100,
                       "the full buffer stays within max_buffer_mb")
        XCTAssertEqual(ShuffleMode.corgipile.bufferRows(usableRows: 1000, bufferFraction: 0.1, featureCount: 28,
                                                        fullShuffleMB: 0, maxBufferMB: 1024), 100, "0: off")
        XCTAssertEqual(ShuffleMode.mrs.bufferRows(usableRows: 1000, bufferFraction: 0.1, featureCount: 28,
                                                  fullShuffleMB: 64, maxBufferMB: 1024), 100,
                       "the streaming baselines keep their window")
        XCTAssertEqual(ShuffleMode.corgipile.bufferRows(usableRows: 0, bufferFraction: 0.1, featureCount: 28,
                                                        fullShuffleMB: 64, maxBufferMB: 1024), 1)
        XCTAssertEqual(ShuffleMode.allCases.map(\.name), ["corgipile", "block_only", "none", "once", "sliding_window", "mrs"])
        XCTAssertEqual(ShuffleMode.corgipile.bufferMode, .shuffle)
        XCTAssertTrue(ShuffleMode.blockOnly.shufflesBlocks)
        XCTAssertFalse(ShuffleMode.once.shufflesBlocks)
    }

    func testDefaultBlockSizeIsTenMegabytesOrAHundredthOfTheTable() {
        XCTAssertEqual(defaultBlockMegabytes(heapBytes: 10 << 30, pageBytes: 8192), 10, "large tables: 10 MB")
        // 279 MB table: floor(35,712 pages / 100) = 357 pages = 2.7890625 MB.
        XCTAssertEqual(defaultBlockMegabytes(heapBytes: 35_712 * 8192, pageBytes: 8192), 357 * 8192 / 1_048_576.0)
        XCTAssertEqual(defaultBlockMegabytes(heapBytes: 50 * 8192, pageBytes: 8192), 8192 / 1_048_576.0, "one page at least")
        XCTAssertEqual(defaultBlockMegabytes(heapBytes: 0, pageBytes: 8192), 8192 / 1_048_576.0)
        XCTAssertEqual(defaultBlockMegabytes(heapBytes: 1 << 40, pageBytes: 0), 10)
    }

    func testModelFamiliesAreTheOneList() {
        XCTAssertEqual(ModelFamily.validNames, "linear, logistic, svm, softmax, mlp, mlp_regression, svr")
        XCTAssertEqual(ModelFamily.mlp.objective, .softmax)
        XCTAssertEqual(ModelFamily.mlpRegression.objective, .linear)
        XCTAssertTrue(ModelFamily.allCases.filter(\.isNetwork) == [.mlp, .mlpRegression])
    }
}
