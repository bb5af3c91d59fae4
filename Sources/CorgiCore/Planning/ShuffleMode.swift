/// How `corgi.train` orders the rows of an epoch (`shuffle => '...'`): the one list every
/// layer reads, and what each mode asks of the scan and of the tuple buffer.
///
/// | shuffle | scan | tuple buffer (``BufferMode``) | buffer rows |
/// |---|---|---|---|
/// | corgipile | block-shuffled | shuffle | `buffer_fraction` of the rows |
/// | block_only | block-shuffled | arrival order | at most 65,536 |
/// | none | physical order | arrival order | at most 65,536 |
/// | once | a shuffled copy, read in order | arrival order | at most 65,536 |
/// | sliding_window | physical order | sliding window | `buffer_fraction` of the rows |
/// | mrs | physical order | multiplexed reservoir | `buffer_fraction` of the rows |
public enum ShuffleMode: String, CaseIterable, Sendable {
    case corgipile
    case blockOnly = "block_only"
    case none
    case once
    case slidingWindow = "sliding_window"
    case mrs

    public var name: String { rawValue }
    public init?(name: String) { self.init(rawValue: name) }

    /// What the tuple buffer does with the rows.
    public var bufferMode: BufferMode {
        switch self {
        case .corgipile: return .shuffle
        case .blockOnly, .none, .once: return .arrivalOrder
        case .slidingWindow: return .slidingWindow
        case .mrs: return .reservoir
        }
    }

    /// Whether the scan visits blocks of pages in a seeded random order.
    public var shufflesBlocks: Bool { self == .corgipile || self == .blockOnly }

    /// The largest buffer of the modes whose buffer size changes nothing but memory.
    public static let arrivalOrderBufferRows: Int64 = 65_536

    /// The tuple buffer's rows for a table of `usableRows` rows (non-NULL label and
    /// features): `ceil(buffer_fraction * rows)`, at least 1, for the modes that shuffle
    /// or sample in the buffer; for the others (arrival order) at most 65,536 (at least 1).
    ///
    /// corgipile's buffer (``BufferMode/shuffle``) holds all the rows when they fit in
    /// `fullShuffleMB` (and in `maxBufferMB`), two buffers counted as `max_buffer_mb`
    /// counts them (``SGDTrainer/doubleBufferMegabytes(rows:featureCount:)``): small data is
    /// shuffled fully each epoch. 0 turns that off; the streaming baselines keep
    /// `buffer_fraction` (their window is what they measure).
    public func bufferRows(usableRows: Int64, bufferFraction: Double, featureCount: Int = 1,
                           fullShuffleMB: Double = 0, maxBufferMB: Double = 0) -> Int64 {
        let rows = max(0, usableRows)
        switch bufferMode {
        case .arrivalOrder:
            return max(1, min(rows, ShuffleMode.arrivalOrderBufferRows))
        case .shuffle where fullShuffleMB > 0 && rows <= Int64(SGDTrainer.maximumBufferRows)
            && SGDTrainer.doubleBufferMegabytes(rows: rows, featureCount: Int64(max(1, featureCount)))
                <= min(fullShuffleMB, maxBufferMB):
            return max(1, rows)
        case .shuffle, .slidingWindow, .reservoir:
            let wanted = (Double(rows) * bufferFraction).rounded(.up)
            guard wanted.isFinite else { return 1 }
            return max(1, Int64(min(wanted, Double(Int64.max / 2))))
        }
    }

    /// The valid names, for error messages.
    public static var validNames: String { allCases.map(\.name).joined(separator: ", ") }
}

/// The block size `corgi.train` uses when `block_mb` is not given: CorgiPile's 10 MB,
/// or the whole number of pages that gives the table 100 blocks, whichever is smaller,
/// and at least one page (measured: a 10% buffer holding only a few single-class blocks
/// can end an epoch on one class). Exact: a whole number of pages in MB is a dyadic
/// fraction, so the Double is exact.
public func defaultBlockMegabytes(heapBytes: Int64, pageBytes: Int64) -> Double {
    guard pageBytes > 0 else { return 10 }
    let pages = max(0, heapBytes) / pageBytes
    let maximum = 10 * 1_048_576 / pageBytes
    let chosen = max(1, min(maximum, pages / 100))
    return Double(chosen * pageBytes) / 1_048_576
}
