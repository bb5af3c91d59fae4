import XCTest
import CorgiCore

final class IncrementalShuffleTests: XCTestCase {
    private func drain(_ shuffle: inout IncrementalShuffle) -> [UInt32] {
        var out: [UInt32] = []
        while let element = shuffle.next() { out.append(element) }
        return out
    }

    /// True when `values` holds each of 0..<count exactly once.
    private func isPermutation(_ values: [UInt32], of count: Int) -> Bool {
        guard values.count == count else { return false }
        var seen = [Bool](repeating: false, count: count)
        for value in values {
            guard Int(value) < count, !seen[Int(value)] else { return false }
            seen[Int(value)] = true
        }
        return true
    }

    func testPinnedOrdersMatchReference() {
        var a = IncrementalShuffle(count: 10, seed: 42)!
        XCTAssertEqual(drain(&a), [0, 4, 7, 9, 3, 8, 5, 1, 2, 6])
        var b = IncrementalShuffle(count: 7, seed: 0)!
        XCTAssertEqual(drain(&b), [4, 5, 2, 0, 6, 3, 1])
    }

    func testIsAPermutationForManySizesAndSeeds() {
        let sizes = [0, 1, 2, 3, 7, 8, 64, 97, 1000, 7919, 65_537]
        for size in sizes {
            for seed: UInt64 in [0, 1, 42, UInt64.max] {
                var shuffle = IncrementalShuffle(count: size, seed: seed)!
                let values = drain(&shuffle)
                XCTAssertTrue(isPermutation(values, of: size), "size \(size) seed \(seed)")
                XCTAssertNil(shuffle.next(), "exhausted shuffle keeps returning nil")
                XCTAssertEqual(shuffle.yielded, size)
            }
        }
    }

    func testHugeCountAtTheLimitIsAPermutation() {
        let size = IncrementalShuffle.maximumCount
        var shuffle = IncrementalShuffle(count: size, seed: 5)!
        var seen = [UInt64](repeating: 0, count: size / 64)
        var produced = 0, repeats = 0
        while let value = shuffle.next() {
            let word = Int(value) >> 6, bit = UInt64(1) << (UInt64(value) & 63)
            if seen[word] & bit != 0 { repeats += 1 }
            seen[word] |= bit
            produced += 1
        }
        XCTAssertEqual(produced, size)
        XCTAssertEqual(repeats, 0)
        XCTAssertTrue(seen.allSatisfy { $0 == UInt64.max })
    }

    func testRefusesCountsOutsideTheLimitInsteadOfTrapping() {
        XCTAssertNil(IncrementalShuffle(count: IncrementalShuffle.maximumCount + 1, seed: 0))
        XCTAssertNil(IncrementalShuffle(count: Int(UInt32.max) + 1, seed: 0))
        XCTAssertNil(IncrementalShuffle(count: -1, seed: 0))
    }

    func testAllOrdersOfThreeAreEquallyLikely() {
        // 6 orders, 60,000 seeds: chi-square (5 d.f.) below 20.5 with probability 0.999.
        var counts: [[UInt32]: Int] = [:]
        for seed in 0..<60_000 {
            var shuffle = IncrementalShuffle(count: 3, seed: UInt64(seed))!
            counts[drain(&shuffle), default: 0] += 1
        }
        XCTAssertEqual(counts.count, 6)
        let chiSquare = counts.values.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        XCTAssertLessThan(chiSquare, 20.5, "\(counts)")
    }

    func testEveryPositionIsUniform() {
        // Where element 0 lands among 10 positions, over 20,000 seeds.
        var positions = [Int](repeating: 0, count: 10)
        for seed in 0..<20_000 {
            var shuffle = IncrementalShuffle(count: 10, seed: UInt64(seed) &* 7919)!
            positions[drain(&shuffle).firstIndex(of: 0)!] += 1
        }
        let chiSquare = positions.reduce(0.0) { $0 + pow(Double($1) - 2000, 2) / 2000 }
        XCTAssertLessThan(chiSquare, 27.9, "\(positions)")  // 9 d.f., p = 0.999
    }
}
