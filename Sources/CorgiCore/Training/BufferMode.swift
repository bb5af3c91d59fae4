/// How a trainer orders the rows it is given.
///
/// | mode | SQL `shuffle` | what the tuple buffer does |
/// |---|---|---|
/// | `shuffle` | corgipile | fill, Fisher-Yates shuffle afresh, train; repeat |
/// | `arrivalOrder` | block_only, none, once | train rows as they arrive (the buffer only batches work) |
/// | `slidingWindow` | sliding_window | ``StreamingOrder`` sliding window |
/// | `reservoir` | mrs | ``StreamingOrder`` multiplexed reservoir sampling |
public enum BufferMode: UInt8, CaseIterable, Sendable {
    case shuffle = 0
    case arrivalOrder = 1
    case slidingWindow = 2
    case reservoir = 3

    /// The name used by `corgi.sgd_state(..., buffer => ...)`.
    public var name: String {
        switch self {
        case .shuffle: return "shuffle"
        case .arrivalOrder: return "none"
        case .slidingWindow: return "sliding_window"
        case .reservoir: return "mrs"
        }
    }

    public init?(name: String) {
        guard let mode = BufferMode.allCases.first(where: { $0.name == name }) else { return nil }
        self = mode
    }

    /// Whether rows are decided one at a time as they arrive (no worker thread).
    public var isStreaming: Bool { self == .slidingWindow || self == .reservoir }
}
