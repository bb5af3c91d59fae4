/// The page order of a CorgiPile block-shuffled scan: blocks in a seeded random
/// order, pages inside each block ascending.
///
/// This is what `TABLESAMPLE corgi_block_shuffle(block_pages) REPEATABLE (seed)` and
/// the training scan follow. Blocks are drawn lazily with ``IncrementalShuffle``.
///
/// Contract: deterministic in `(layout, seed)`; yields every page of the layout
/// exactly once; never traps.
public struct BlockShuffleOrder: Sendable {
    /// The block layout being scanned.
    public let layout: BlockLayout
    private var blocks: IncrementalShuffle
    private var currentPages: Range<UInt32>

    /// Why a block order could not be made.
    public enum Failure: Error, Equatable, Sendable {
        /// `pagesPerBlock` was 0.
        case emptyBlock
        /// The layout has more blocks than ``IncrementalShuffle/maximumCount``;
        /// `minimumPagesPerBlock` is the smallest block size that fits.
        case tooManyBlocks(blockCount: Int, minimumPagesPerBlock: UInt64)
    }

    /// Creates the order for `pageCount` pages cut into blocks of `pagesPerBlock`.
    public static func make(pageCount: UInt32, pagesPerBlock: UInt32, seed: UInt64)
        -> Result<BlockShuffleOrder, Failure>
    {
        guard let layout = BlockLayout(pageCount: pageCount, pagesPerBlock: pagesPerBlock) else {
            return .failure(.emptyBlock)
        }
        guard let blocks = IncrementalShuffle(count: layout.blockCount, seed: seed) else {
            let limit = UInt64(IncrementalShuffle.maximumCount)
            let minimum = (UInt64(pageCount) + limit - 1) / limit
            return .failure(.tooManyBlocks(blockCount: layout.blockCount, minimumPagesPerBlock: minimum))
        }
        return .success(BlockShuffleOrder(layout: layout, blocks: blocks))
    }

    private init(layout: BlockLayout, blocks: IncrementalShuffle) {
        self.layout = layout
        self.blocks = blocks
        self.currentPages = 0..<0
    }

    /// Returns the next page to read, or nil when every page has been returned.
    public mutating func nextPage() -> UInt32? {
        while currentPages.isEmpty {
            guard let block = blocks.next() else { return nil }
            currentPages = layout.pages(ofBlock: Int(block))
        }
        let page = currentPages.lowerBound
        currentPages = (page + 1)..<currentPages.upperBound
        return page
    }

    /// Returns the next block (its page range) and consumes it whole, or nil at the end.
    public mutating func nextBlock() -> Range<UInt32>? {
        guard let block = blocks.next() else { return nil }
        currentPages = 0..<0
        return layout.pages(ofBlock: Int(block))
    }
}
