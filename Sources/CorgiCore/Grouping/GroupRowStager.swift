/// The row path of a grouped pass over a heap table: the backend checks each row and
/// appends it, with its group, to a staging chunk (sequential writes); the worker thread
/// takes whole chunks, writes each row into its group's tuple buffer (through a
/// ``GroupRowFeeder``) and trains a group's buffer the moment it fills.
///
/// Why: with a thousand groups, writing rows into their groups' buffers scatters the
/// writes over the buffers' memory, and every one of them waited on memory in the backend
/// (which reads the table: the pass's bottleneck); the worker, which only trained, had
/// time to spare. Staged, the backend writes as an ungrouped pass does, and the scatter
/// and the hand-offs between groups (a job per full buffer before) are the worker's.
///
/// Contract:
/// - Every group's buffers are filled with the same rows in the same order and trained
///   in the same order with the same seeds as through ``SGDTrainer/add(features:label:)``,
///   so every model is the same bit for bit. The trainers must be synchronous (one slot,
///   no thread of their own): the worker trains them inline.
/// - While a pass is under way only the worker touches the trainers; the backend touches
///   them again after ``advance()`` has answered false following ``finishPass()``, or
///   after ``shutdown()``.
/// - ``add(group:features:label:)`` checks the row as the trainer would (the refusal is
///   returned, nothing is staged) and answers true when the chunk filled: call
///   ``advance()`` until it answers false before adding more. ``advance()`` waits at most
///   about 50 ms per call, so the caller can check for interrupts.
/// - Without a worker (none could be had) the chunks are processed inline, with the same
///   results. ``shutdown()`` (or deinit) stops and joins the worker before any memory a
///   job touches goes.
/// - Never traps: group indices are checked when rows are staged.
public final class GroupRowStager {
    /// The most rows and bytes of a staging chunk: 2,048 rows, about 0.5 MB (the worker
    /// reads a chunk while it is still in the cache the backend wrote it through, and the
    /// chunks stay small beside the buffers corgi.max_buffer_mb counts: at most ~2 MB).
    public static let maximumChunkRows = 2048
    static let chunkBytes = 512 * 1024
    /// Rows per staging chunk for this pass's row width (16 to ``maximumChunkRows``).
    let chunkRows: Int
    /// Chunks: the backend fills one while the worker works through the others.
    static let chunkCount = 4

    private let feeder: GroupRowFeeder
    private let trainers: [SGDTrainer]
    private let checker: SGDTrainer
    private let featureCount: Int
    /// The pass's worker, until ``shutdown()``; its thread, whose stop the jobs watch.
    private var worker: SharedTrainingWorker?
    private let thread: TrainingWorker?

    // Chunk c: its rows in chunkFeatures[c] (row-major), chunkTargets[c], chunkGroups[c]
    // (a job gets the count); pendingTickets[c] > 0 while the worker holds it.
    private let chunkFeatures: [UnsafeMutablePointer<Double>]
    private let chunkTargets: [UnsafeMutablePointer<Double>]
    private let chunkGroups: [UnsafeMutablePointer<Int32>]
    private var pendingTickets: [UInt64]
    private var fillChunk = 0
    private var fillCount = 0
    private let allocations: [RawAllocation]

    /// NULL rows per group, counted here and handed to the trainers when the pass ends.
    private var skipped: [Int]
    private var chunkFull = false
    private var finishStage = 0     // 0 none, 1 hand over the rest, 2 wait for the worker
    private var finishTicket: UInt64 = 0

    /// A stager over synchronous trainers (group g is `trainers[g]`) and the pass's
    /// worker (nil: inline), or nil when they do not share their row checks, a buffer
    /// streams, a trainer has a thread of its own, or memory cannot be had.
    public init?(trainers: [SGDTrainer], worker: SharedTrainingWorker?) {
        guard trainers.allSatisfy({ !$0.isConcurrent }), let feeder = GroupRowFeeder(trainers: trainers) else {
            return nil
        }
        let n = trainers[0].featureCount
        var allocations: [RawAllocation] = []
        var features: [UnsafeMutablePointer<Double>] = [], targets: [UnsafeMutablePointer<Double>] = []
        var groups: [UnsafeMutablePointer<Int32>] = []
        let rowBytes = max(1, n) &* MemoryLayout<Double>.stride &+ MemoryLayout<Double>.stride &+ MemoryLayout<Int32>.stride
        let chunkRows = min(GroupRowStager.maximumChunkRows, max(16, GroupRowStager.chunkBytes / rowBytes))
        let (doubles, overflow) = chunkRows.multipliedReportingOverflow(by: max(1, n))
        guard !overflow else { return nil }
        for _ in 0..<GroupRowStager.chunkCount {
            guard let f = RawAllocation.typed(doubles, Double.self, into: &allocations),
                let t = RawAllocation.typed(chunkRows, Double.self, into: &allocations),
                let g = RawAllocation.typed(chunkRows, Int32.self, into: &allocations)
            else {
                allocations.forEach { $0.release() }
                return nil
            }
            features.append(f); targets.append(t); groups.append(g)
        }
        self.feeder = feeder
        self.chunkRows = chunkRows
        self.trainers = trainers
        self.checker = trainers[0]
        self.featureCount = n
        self.worker = worker
        self.thread = worker?.worker
        self.chunkFeatures = features
        self.chunkTargets = targets
        self.chunkGroups = groups
        self.pendingTickets = Array(repeating: 0, count: GroupRowStager.chunkCount)
        self.allocations = allocations
        self.skipped = Array(repeating: 0, count: trainers.count)
    }

    deinit {
        shutdown()
        allocations.forEach { $0.release() }
    }

    /// Stops and joins the worker (a job in progress ends at its next row); the trainers
    /// must not be trained afterwards. Idempotent.
    public func shutdown() {
        worker?.release()
        worker = nil
    }

    /// Checks one row of `group` and stages it; true when the chunk filled (see the
    /// type's contract); the refusal when the row cannot be trained. While a full chunk
    /// waits for ``advance()`` (or the pass is finishing) it answers true and stages
    /// nothing; a group out of range is not staged.
    @inline(__always)
    public func add(group: Int, features: UnsafeBufferPointer<Double>, label: Double) -> Result<Bool, RowFailure> {
        let target: Double
        switch checker.checkedTarget(features: features, label: label) {
        case .success(let t): target = t
        case .failure(let failure): return .failure(failure)
        }
        guard !chunkFull, finishStage == 0 else { return .success(true) }
        guard group >= 0, group < trainers.count, let source = features.baseAddress else { return .success(false) }
        let row = fillCount
        (chunkFeatures[fillChunk] + row &* featureCount).update(from: source, count: featureCount)
        chunkTargets[fillChunk][row] = target
        chunkGroups[fillChunk][row] = Int32(truncatingIfNeeded: group)
        fillCount = row &+ 1
        if fillCount == chunkRows {
            chunkFull = true
            return .success(true)
        }
        return .success(false)
    }

    /// The model kind of every trainer (for the hint of a refused row).
    public var kind: ModelKind { checker.kind }

    /// Counts a row of `group` skipped for a NULL label or NULL features.
    public func skip(group: Int) {
        guard group >= 0, group < skipped.count else { return }
        skipped[group] &+= 1
    }

    /// Ends the pass: the staged rows are written and trained, then every group's pass
    /// ends (its partial buffer trained). Call ``advance()`` until it answers false.
    public func finishPass() {
        if finishStage == 0 { finishStage = 1 }
    }

    /// Does a bounded amount of the pending work (hands over a full chunk, or waits at
    /// most about 50 ms for the worker); true while work remains.
    public func advance() -> Bool {
        if chunkFull {
            guard handOver() else { return true }
            chunkFull = false
            return finishStage != 0
        }
        switch finishStage {
        case 1:
            guard handOver() else { return true }
            finishTicket = submit { stager in stager.endGroupPasses() }
            finishStage = 2
            return true
        case 2:
            if let thread, !thread.waitUntilDone(ticket: finishTicket, milliseconds: 50) { return true }
            for (group, count) in skipped.enumerated() where count > 0 { trainers[group].skip(count: count) }
            for group in skipped.indices { skipped[group] = 0 }
            finishStage = 0
            return false
        default:
            return false
        }
    }

    /// Hands the fill chunk (if it holds rows) to the worker and makes the next chunk the
    /// fill chunk once the worker is done with it; false while it is not (waited ~50 ms).
    private func handOver() -> Bool {
        let next = (fillChunk + 1) % GroupRowStager.chunkCount
        if let thread, pendingTickets[next] > 0 {
            guard thread.waitUntilDone(ticket: pendingTickets[next], milliseconds: 50) else { return false }
            pendingTickets[next] = 0
        }
        if fillCount > 0 {
            let chunk = fillChunk, count = fillCount
            pendingTickets[chunk] = submit { stager in stager.writeChunk(chunk, count: count) }
            fillChunk = next
            fillCount = 0
        }
        return true
    }

    /// Runs `job` on the worker (returning its ticket), or inline without one (ticket 0).
    private func submit(_ job: @escaping (GroupRowStager) -> Void) -> UInt64 {
        guard let thread else {
            job(self)
            return 0
        }
        // The job holds no reference (see TupleBuffer.submitFillSlot): shutdown() joins
        // the worker before the stager's memory goes, and a job not yet started never runs.
        let stager = Unmanaged.passUnretained(self)
        return thread.submit { stager._withUnsafeGuaranteedRef { job($0) } }
    }

    /// Rows the worker writes ahead of: it asks for the buffer lines of the row this many
    /// places on while it writes the current one.
    private static let prefetchDistance = 4

    /// The worker's part: the chunk's `count` rows, each into its group's buffer, a full
    /// buffer trained at once. Stops early (the pass is being abandoned) when asked to.
    private func writeChunk(_ chunk: Int, count: Int) {
        let groups = chunkGroups[chunk], targets = chunkTargets[chunk], rows = chunkFeatures[chunk]
        for r in 0..<count {
            if r & 255 == 0, stopAsked { return }
            if r + GroupRowStager.prefetchDistance < count {
                feeder.prefetch(group: Int(groups[r + GroupRowStager.prefetchDistance]))
            }
            let group = Int(groups[r])
            let features = UnsafeBufferPointer(start: rows + r &* featureCount, count: featureCount)
            switch feeder.addChecked(group: group, features: features, target: targets[r]) {
            case .accepted: break
            case .bufferFull:
                trainFully(group)
                feeder.reopen(group: group)
            case .notBuffered:
                lostRows &+= 1     // an open cursor of a synchronous buffer trained out takes every row
            }
        }
    }

    /// Whether the worker was asked to stop (the pass is being abandoned).
    private var stopAsked: Bool { thread?.stopRequested.load(ordering: .relaxed) ?? false }

    /// Rows the worker could not place (none, by construction; the glue checks).
    public private(set) var lostRows = 0

    /// The worker's end of the pass: every group's partial buffer, then its pass ends;
    /// its cursor opens again on the emptied buffer, for a next pass.
    private func endGroupPasses() {
        feeder.commitAll()
        for group in trainers.indices {
            if stopAsked { return }
            trainers[group].finishPass()
            trainFully(group)
            feeder.reopen(group: group)
        }
    }

    /// Trains what the (synchronous) trainer holds, in slices so a stop is seen.
    private func trainFully(_ group: Int) {
        while trainers[group].trainStep(maxRows: 4096), !stopAsked {}
    }
}
