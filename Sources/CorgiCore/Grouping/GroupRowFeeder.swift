import CorgiKernels

/// Writes checked rows straight into each group's tuple buffer through a compact table of
/// fill cursors, one per group: how a grouped pass's worker places staged rows
/// (``GroupRowStager``).
///
/// Why: with a thousand groups, the rows of one group arrive thousands of rows apart, so
/// the objects a row would pass through on its way into ``SGDTrainer/add(features:label:)``
/// (the trainer, its tuple buffer, their fields) have left the cache by then, and each
/// row would wait on that chain of misses. Here a row touches one 32-byte cursor (the
/// table of all groups stays in cache) and its destination, whose lines can be asked for
/// ahead (``prefetch(group:)``); a group's trainer is reached only when its buffer fills.
///
/// Contract:
/// - The same rows reach the same buffers in the same order as through
///   ``SGDTrainer/add(features:label:)``, so every model is the same bit for bit.
/// - Every trainer must share ``SGDTrainer/kind``, ``SGDTrainer/featureCount`` and
///   ``SGDTrainer/classValues`` (rows are checked once, for all); ``init(trainers:)``
///   answers nil otherwise, and for the streaming buffer modes.
/// - ``addChecked(group:features:target:)`` answers ``Outcome/bufferFull`` when the
///   group's buffer filled, and ``Outcome/notBuffered`` when the row was not buffered (a
///   closed cursor, a row of another width, a group out of range); the cursor is then
///   closed and its rows committed. After either, the caller trains the trainer and calls
///   ``reopen(group:)``. ``commitAll()`` before the trainers end their pass.
/// - Never traps.
final class GroupRowFeeder {
    enum Outcome { case accepted, bufferFull, notBuffered }

    /// A group's fill slot: rows go to `features + filled * featureCount` and
    /// `targets[filled]` while `filled < capacity`; closed when `features` is nil.
    struct Cursor {
        var features: UnsafeMutablePointer<Double>?
        var targets: UnsafeMutablePointer<Double>?
        var filled: Int
        var capacity: Int
    }

    private let trainers: [SGDTrainer]
    private let cursors: UnsafeMutablePointer<Cursor>
    private let featureCount: Int

    /// A feeder for `trainers` (group g is `trainers[g]`), or nil when they do not
    /// share their row checks, a buffer streams, or there is no trainer.
    init?(trainers: [SGDTrainer]) {
        guard let first = trainers.first else { return nil }
        for trainer in trainers {
            guard trainer.kind == first.kind, trainer.featureCount == first.featureCount,
                trainer.classValues == first.classValues, !trainer.bufferMode.isStreaming
            else { return nil }
        }
        self.trainers = trainers
        self.featureCount = first.featureCount
        cursors = .allocate(capacity: trainers.count)
        cursors.initialize(repeating: Cursor(features: nil, targets: nil, filled: 0, capacity: 0), count: trainers.count)
        for group in trainers.indices { reopen(group: group) }
    }

    deinit {
        cursors.deinitialize(count: trainers.count)
        cursors.deallocate()
    }

    /// Buffers one row of `group` whose target ``SGDTrainer/checkedTarget(features:label:)``
    /// has already given (a ``GroupRowStager`` checks rows when it stages them); see the
    /// type's contract for the answers.
    @inline(__always)
    func addChecked(group: Int, features: UnsafeBufferPointer<Double>, target: Double) -> Outcome {
        guard group >= 0, group < trainers.count else { return .notBuffered }
        let cursor = cursors + group
        let filled = cursor.pointee.filled
        guard let destination = cursor.pointee.features, let targets = cursor.pointee.targets,
            filled < cursor.pointee.capacity, features.count == featureCount, let source = features.baseAddress
        else {
            close(group: group)
            return .notBuffered
        }
        (destination + filled &* featureCount).update(from: source, count: featureCount)
        targets[filled] = target
        cursor.pointee.filled = filled &+ 1
        guard filled &+ 1 == cursor.pointee.capacity else { return .accepted }
        cursor.pointee.features = nil
        return trainers[group].commitFill(rows: filled &+ 1) ? .bufferFull : .accepted
    }

    /// Asks the CPU for the cache lines the group's next row will be written to (its
    /// features and target), so that the write does not wait for them. Changes nothing.
    @inline(__always)
    func prefetch(group: Int) {
        guard group >= 0, group < trainers.count, let destination = cursors[group].features,
            let targets = cursors[group].targets
        else { return }
        let filled = cursors[group].filled
        corgi_prefetch_write(destination + filled &* featureCount, featureCount &* MemoryLayout<Double>.stride)
        corgi_prefetch_write(targets + filled, MemoryLayout<Double>.stride)
    }

    /// Points the group's cursor at its buffer's fill slot again (after the caller trained
    /// its full buffer); leaves it closed while the buffer does not accept rows.
    func reopen(group: Int) {
        guard group >= 0, group < trainers.count else { return }
        if let window = trainers[group].openFill() {
            cursors[group] = Cursor(features: window.features, targets: window.targets, filled: window.filled,
                                    capacity: window.capacity)
        } else {
            cursors[group] = Cursor(features: nil, targets: nil, filled: 0, capacity: 0)
        }
    }

    /// Commits every open cursor's rows to its buffer and closes it: call before the
    /// trainers end their pass (or are read), after the last row.
    func commitAll() {
        for group in trainers.indices { close(group: group) }
    }

    /// Commits the group's rows (when its cursor is open) and closes the cursor.
    private func close(group: Int) {
        guard cursors[group].features != nil else { return }
        _ = trainers[group].commitFill(rows: cursors[group].filled)
        cursors[group].features = nil
    }
}
