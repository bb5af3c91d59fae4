/// How a heap of `pageCount` pages is cut into CorgiPile blocks of `pagesPerBlock`
/// consecutive pages. The last block is partial when `pagesPerBlock` does not divide
/// `pageCount`; it is kept, never dropped.
///
/// Contract: all arithmetic is done in `UInt64`, so no page count up to `UInt32.max`
/// (PostgreSQL's block-number range) and no block size can overflow. Never traps.
public struct BlockLayout: Sendable, Equatable {
    /// Pages in the relation (PostgreSQL's `nblocks` of the scan).
    public let pageCount: UInt32
    /// Consecutive pages per block, at least 1.
    public let pagesPerBlock: UInt32

    /// Returns nil when `pagesPerBlock` is 0.
    public init?(pageCount: UInt32, pagesPerBlock: UInt32) {
        guard pagesPerBlock > 0 else { return nil }
        self.pageCount = pageCount
        self.pagesPerBlock = pagesPerBlock
    }

    /// Number of blocks, the partial last block included: `ceil(pageCount / pagesPerBlock)`.
    public var blockCount: Int {
        Int((UInt64(pageCount) + UInt64(pagesPerBlock) - 1) / UInt64(pagesPerBlock))
    }

    /// The pages of block `block`: `block * pagesPerBlock ..< min(next block start, pageCount)`.
    /// Empty for a block index past the end.
    public func pages(ofBlock block: Int) -> Range<UInt32> {
        guard block >= 0, block < blockCount else { return pageCount..<pageCount }
        let start = UInt64(block) * UInt64(pagesPerBlock)
        let end = min(start + UInt64(pagesPerBlock), UInt64(pageCount))
        return UInt32(start)..<UInt32(end)
    }
}
