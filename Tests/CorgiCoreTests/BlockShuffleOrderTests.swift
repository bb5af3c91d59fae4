import XCTest
import CorgiCore

final class BlockLayoutTests: XCTestCase {
    func testPartialLastBlockIsKept() {
        let layout = BlockLayout(pageCount: 10, pagesPerBlock: 3)!
        XCTAssertEqual(layout.blockCount, 4)
        XCTAssertEqual((0..<4).map { layout.pages(ofBlock: $0) }, [0..<3, 3..<6, 6..<9, 9..<10])
    }

    func testExactDivisionHasNoPartialBlock() {
        let layout = BlockLayout(pageCount: 12, pagesPerBlock: 4)!
        XCTAssertEqual(layout.blockCount, 3)
        XCTAssertEqual(layout.pages(ofBlock: 2), 8..<12)
    }

    func testEmptyAndOversizedBlocks() {
        XCTAssertNil(BlockLayout(pageCount: 5, pagesPerBlock: 0))
        XCTAssertEqual(BlockLayout(pageCount: 0, pagesPerBlock: 8)!.blockCount, 0)
        let one = BlockLayout(pageCount: 5, pagesPerBlock: 1000)!
        XCTAssertEqual(one.blockCount, 1)
        XCTAssertEqual(one.pages(ofBlock: 0), 0..<5)
        XCTAssertTrue(one.pages(ofBlock: 1).isEmpty)
        XCTAssertTrue(one.pages(ofBlock: -1).isEmpty)
    }

    func testLargestRelationDoesNotOverflow() {
        let layout = BlockLayout(pageCount: UInt32.max, pagesPerBlock: UInt32.max - 1)!
        XCTAssertEqual(layout.blockCount, 2)
        XCTAssertEqual(layout.pages(ofBlock: 1), (UInt32.max - 1)..<UInt32.max)
        XCTAssertEqual(BlockLayout(pageCount: UInt32.max, pagesPerBlock: 1)!.blockCount, Int(UInt32.max))
    }
}

final class BlockShuffleOrderTests: XCTestCase {
    private func pages(_ pageCount: UInt32, _ pagesPerBlock: UInt32, seed: UInt64) -> [UInt32] {
        guard case .success(var order) = BlockShuffleOrder.make(
            pageCount: pageCount, pagesPerBlock: pagesPerBlock, seed: seed)
        else { XCTFail("order refused"); return [] }
        var out: [UInt32] = []
        while let page = order.nextPage() { out.append(page) }
        return out
    }

    func testPinnedOrderMatchesReference() {
        // scripts/reference_prng.py: pages(npages 10, block 3, seed 1)
        XCTAssertEqual(pages(10, 3, seed: 1), [6, 7, 8, 0, 1, 2, 9, 3, 4, 5])
    }

    func testEveryPageOnceAscendingInsideContiguousBlocks() {
        for (pageCount, blockPages) in [(0, 1), (1, 1), (1, 8), (37, 4), (100, 10), (1000, 7), (4099, 128)] as [(UInt32, UInt32)] {
            for seed: UInt64 in [0, 3, 77] {
                let order = pages(pageCount, blockPages, seed: seed)
                XCTAssertEqual(order.sorted(), Array(0..<pageCount), "\(pageCount)/\(blockPages)")
                // Cut the order where the block changes: each run is one whole block, ascending.
                var runs: [[UInt32]] = []
                for page in order {
                    if let last = runs.last?.last, last / blockPages == page / blockPages {
                        runs[runs.count - 1].append(page)
                    } else {
                        runs.append([page])
                    }
                }
                let layout = BlockLayout(pageCount: pageCount, pagesPerBlock: blockPages)!
                XCTAssertEqual(runs.count, layout.blockCount)
                for run in runs {
                    XCTAssertEqual(run, Array(layout.pages(ofBlock: Int(run[0] / blockPages))))
                }
            }
        }
    }

    func testSeedsChangeTheBlockOrder() {
        XCTAssertEqual(pages(500, 5, seed: 9), pages(500, 5, seed: 9))
        XCTAssertNotEqual(pages(500, 5, seed: 9), pages(500, 5, seed: 10))
        XCTAssertNotEqual(pages(500, 5, seed: 9), Array(0..<500), "blocks are actually shuffled")
    }

    func testNextBlockYieldsWholeBlocks() {
        guard case .success(var order) = BlockShuffleOrder.make(pageCount: 10, pagesPerBlock: 3, seed: 1)
        else { return XCTFail() }
        var blocks: [Range<UInt32>] = []
        while let block = order.nextBlock() { blocks.append(block) }
        XCTAssertEqual(blocks, [6..<9, 0..<3, 9..<10, 3..<6])
    }

    func testFailuresAreReportedNotTrapped() {
        guard case .failure(let empty) = BlockShuffleOrder.make(pageCount: 10, pagesPerBlock: 0, seed: 0)
        else { return XCTFail() }
        XCTAssertEqual(empty, .emptyBlock)
        let pageCount = UInt32(IncrementalShuffle.maximumCount) * 3 + 1
        guard case .failure(let tooMany) = BlockShuffleOrder.make(pageCount: pageCount, pagesPerBlock: 1, seed: 0)
        else { return XCTFail() }
        XCTAssertEqual(tooMany, .tooManyBlocks(blockCount: Int(pageCount), minimumPagesPerBlock: 4))
        // The suggested block size is accepted.
        guard case .success = BlockShuffleOrder.make(pageCount: pageCount, pagesPerBlock: 4, seed: 0)
        else { return XCTFail() }
    }
}
