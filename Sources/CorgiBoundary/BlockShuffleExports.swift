import CorgiABI
import CorgiCore

/// The Swift-owned state of one block-shuffled scan, held by C across calls.
final class BlockShuffleCursor {
    var order: BlockShuffleOrder
    init(order: BlockShuffleOrder) { self.order = order }
}

/// Creates the page order of a block-shuffled scan over `pageCount` heap pages cut into
/// blocks of `pagesPerBlock` pages, shuffled by `seed`. On success stores a retained
/// cursor in `*cursorOut` (release it with `corgi_object_release`) and returns CORGI_OK.
@_cdecl("corgi_block_shuffle_create")
public func corgi_block_shuffle_create(
    _ pageCount: UInt32, _ pagesPerBlock: UInt32, _ seed: UInt64,
    _ cursorOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let cursorOut else {
        return report(CORGI_INTERNAL, "corgi_block_shuffle_create: no output pointer", into: error)
    }
    cursorOut.pointee = nil
    switch BlockShuffleOrder.make(pageCount: pageCount, pagesPerBlock: pagesPerBlock, seed: seed) {
    case .success(let order):
        cursorOut.pointee = retainedPointer(to: BlockShuffleCursor(order: order))
        return reportSuccess(into: error)
    case .failure(.emptyBlock):
        return report(CORGI_INVALID_ARGUMENT, "block_pages must be at least 1, got 0", into: error)
    case .failure(.tooManyBlocks(let blockCount, let minimum)):
        return report(
            CORGI_PROGRAM_LIMIT,
            "\(blockCount) blocks of \(pagesPerBlock) pages exceed the limit of \(IncrementalShuffle.maximumCount) blocks per scan",
            hint: "Use block_pages of at least \(minimum) for this table.",
            into: error)
    }
}

/// Stores the next page of the scan in `*pageOut` and returns 1, or returns 0 when every
/// page has been returned (or the cursor is invalid).
@_cdecl("corgi_block_shuffle_next_page")
public func corgi_block_shuffle_next_page(
    _ cursor: UnsafeMutableRawPointer?, _ pageOut: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    guard let state = borrow(cursor, as: BlockShuffleCursor.self), let pageOut,
        let page = state.order.nextPage()
    else { return 0 }
    pageOut.pointee = page
    return 1
}

/// C: `int32_t corgi_block_shuffle_next_block(void *cursor, uint32_t *first_page, uint32_t *page_count)`:
/// stores the next whole block (its first page and length) and returns 1, or returns 0
/// at the end. Do not mix with corgi_block_shuffle_next_page on one cursor.
@_cdecl("corgi_block_shuffle_next_block")
public func corgi_block_shuffle_next_block(
    _ cursor: UnsafeMutableRawPointer?, _ firstPage: UnsafeMutablePointer<UInt32>?,
    _ pageCount: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    guard let state = borrow(cursor, as: BlockShuffleCursor.self), let firstPage, let pageCount,
        let block = state.order.nextBlock()
    else { return 0 }
    firstPage.pointee = block.lowerBound
    pageCount.pointee = block.upperBound - block.lowerBound
    return 1
}
