/// CorgiPile's tuple buffer: rows arrive in block order, fill a buffer, and leave for a
/// ``RowLearner`` in the order the ``BufferMode`` decides; it owns the buffer memory,
/// the shuffles and the worker thread, and nothing of the model.
///
/// Contract:
/// - Buffer `b` of epoch `e` is shuffled with a fresh Fisher-Yates permutation seeded by
///   ``SeedDerivation/bufferSeed(runSeed:epoch:buffer:)`` (never reused) in mode
///   `shuffle`; `arrivalOrder` trains rows as they arrive; the streaming modes follow
///   ``StreamingOrder`` (sliding window, MRS) and flush what they hold, shuffled, at the
///   end of a pass (MRS discards its reservoir).
/// - Concurrent mode (two slots): the caller fills one slot while the worker thread
///   trains the other; the result is bit for bit the synchronous one.
/// - The learner is touched only by whichever thread trains; between calls of
///   ``advance()`` that return false nobody touches it.
final class TupleBuffer {
    let capacity: Int
    let featureCount: Int
    let mode: BufferMode
    /// The run seed of the model being trained (it seeds the buffer shuffles).
    private(set) var runSeed: Int64
    let concurrent: Bool
    /// The learner the rows go to (owned by the trainer). ``rebind(to:epoch:buffersThisEpoch:seed:)``
    /// points an idle buffer at another learner, so one buffer serves many models in
    /// turn (model hopping) without freeing and allocating its memory.
    unowned(unsafe) private(set) var learner: any BufferedRowConsumer

    /// The epoch whose buffers are being shuffled (it seeds them), and how many buffers
    /// of it were shuffled so far.
    var epoch: Int
    private(set) var buffersThisEpoch: Int
    /// The buffer fraction it was made for (the streaming modes' memory step).
    let memoryStepProbability: Double
    // Streaming modes: the decisions of the pass in progress.
    private var stream: StreamingOrder?

    // Slots: one in synchronous mode; two when concurrent. Per slot: features, targets,
    // permutation, and the row count (owned by whichever thread holds the slot).
    private let slotFeatures: [UnsafeMutablePointer<Double>]
    private let slotTargets: [UnsafeMutablePointer<Double>]
    private let slotOrder: [UnsafeMutablePointer<UInt32>]
    private let slotCounts: UnsafeMutablePointer<Int>
    private var fillSlot = 0 {
        didSet { fillFeatures = slotFeatures[fillSlot]; fillTargets = slotTargets[fillSlot] }
    }
    // The fill slot's storage, cached for the per-row path.
    private var fillFeatures: UnsafeMutablePointer<Double>
    private var fillTargets: UnsafeMutablePointer<Double>
    // Synchronous mode: position in the slot being trained inline.
    private var trainPosition = 0
    private var training = false
    private var flushing = false
    // Concurrent mode.
    private var holdsWorkerSlot: Bool
    private var worker: TrainingWorker?
    /// Whether the worker is shared with other buffers (a grouped pass): this buffer then
    /// neither makes nor owns the thread, and waits for its own job's ticket.
    private let sharesWorker: Bool
    private var workerBusy = false
    private var pendingTicket: UInt64 = 0
    private var awaitingSubmit = false
    private var finishStage = 0     // 0 none, 1 submit the partial buffer, 2 wait for the worker
    // Split work (a consumer of several members, ``BufferedRowConsumer/memberCount``):
    // the worker trains the first members of each buffer, the filling thread the last
    // `fillerMembers` before it fills again. The slot of that part (-1: none), how far,
    // which members. The split moves by one member per buffer toward whichever thread
    // waited for the other; any split trains every member on every row once, in order.
    private var fillerSlot = -1
    private var fillerPosition = 0
    private var fillerCount = 0
    private var fillerPart = 0..<0
    private var fillerMembers = -1
    private var balancedThisBuffer = false
    private let allocations: [RawAllocation]

    /// A buffer of `capacity` rows of `featureCount` values, two slots when `concurrent`
    /// and the process's worker slot is free (streaming modes never use a worker); nil
    /// when memory cannot be had.
    init?(capacity: Int, featureCount: Int, mode: BufferMode, runSeed: Int64, bufferFraction: Double,
          epoch: Int, buffersThisEpoch: Int, concurrent: Bool, learner: any BufferedRowConsumer,
          sharedWorker: TrainingWorker? = nil) {
        let (bufferDoubles, overflow) = capacity.multipliedReportingOverflow(by: featureCount)
        guard capacity >= 1, !overflow else { return nil }
        // One worker thread per backend: a buffer that cannot have it trains inline
        // (same arithmetic, same result, no overlap). A shared worker (the groups of a
        // grouped pass) already holds the backend's slot.
        let shares = sharedWorker != nil && !mode.isStreaming
        let concurrent = shares || (concurrent && sharedWorker == nil && !mode.isStreaming && TrainingWorker.reserve())
        let slotCount = concurrent ? 2 : 1
        var allocations: [RawAllocation] = []
        func allocate<T>(_ count: Int, _ type: T.Type) -> UnsafeMutablePointer<T>? {
            RawAllocation.typed(count, type, into: &allocations)
        }
        var features: [UnsafeMutablePointer<Double>] = [], targets: [UnsafeMutablePointer<Double>] = []
        var orders: [UnsafeMutablePointer<UInt32>] = []
        for _ in 0..<slotCount {
            guard let bf = allocate(bufferDoubles, Double.self), let bt = allocate(capacity, Double.self),
                let o = allocate(capacity, UInt32.self)
            else {
                allocations.forEach { $0.release() }
                if concurrent && !shares { TrainingWorker.unreserve() }
                return nil
            }
            features.append(bf); targets.append(bt); orders.append(o)
        }
        guard let counts = allocate(slotCount, Int.self) else {
            allocations.forEach { $0.release() }
            if concurrent && !shares { TrainingWorker.unreserve() }
            return nil
        }
        for i in 0..<slotCount { counts[i] = 0 }
        self.capacity = capacity
        self.featureCount = featureCount
        self.mode = mode
        self.runSeed = runSeed
        self.memoryStepProbability = bufferFraction
        self.epoch = epoch
        self.buffersThisEpoch = buffersThisEpoch
        self.concurrent = concurrent
        self.holdsWorkerSlot = concurrent && !shares
        self.sharesWorker = shares
        self.worker = shares ? sharedWorker : nil
        self.learner = learner
        self.slotFeatures = features
        self.slotTargets = targets
        self.slotOrder = orders
        self.slotCounts = counts
        self.fillFeatures = features[0]
        self.fillTargets = targets[0]
        self.allocations = allocations
    }

    deinit {
        shutdown()
        allocations.forEach { $0.release() }
    }

    /// Stops the worker thread (its job ends at the next check, within about a
    /// millisecond) and joins it, then gives back the backend's worker slot. Idempotent;
    /// the buffer must not be used for training afterwards.
    func shutdown() {
        // A shared worker is stopped too: its queue may hold jobs on this buffer's memory
        // (the pass is over, or failing, when any of its buffers goes).
        worker?.stopAndJoin()
        worker = nil
        workerBusy = false
        if holdsWorkerSlot {
            TrainingWorker.unreserve()
            holdsWorkerSlot = false
        }
    }

    /// Rows buffered and not yet trained (0 whenever the buffer is idle).
    var bufferedRows: Int {
        var rows = 0
        for slot in 0..<slotFeatures.count { rows += slotCounts[slot] }
        return rows - trainPosition
    }

    /// True while work is under way: call ``advance()`` until it answers false.
    var isTraining: Bool { training || awaitingSubmit || finishStage != 0 || workerBusy || fillerSlot >= 0 }

    /// Whether a row may be added now (the buffer is not full and no pass is finishing).
    var acceptsRows: Bool { !training && !awaitingSubmit && finishStage == 0 }

    /// Buffers one (checked) row; true when the buffer became full: call ``advance()``
    /// until it returns false before adding more.
    func add(_ features: UnsafeBufferPointer<Double>, target: Double) -> Bool {
        if mode.isStreaming {
            addStreaming(features, target: target)
            return false
        }
        let count = slotCounts[fillSlot]
        let destination = fillFeatures + count * featureCount
        for i in 0..<featureCount { destination[i] = features[i] }
        fillTargets[count] = target
        return commitFill(rows: count + 1)
    }

    /// The fill slot's memory, for a writer that places checked rows itself (a grouped
    /// pass's ``GroupRowFeeder``): rows `filled..<capacity` of `features` (row-major,
    /// ``featureCount`` wide) and `targets` are free. Valid until ``commitFill(rows:)``.
    struct FillWindow {
        let features: UnsafeMutablePointer<Double>
        let targets: UnsafeMutablePointer<Double>
        let filled: Int
        let capacity: Int
    }

    /// The fill slot as a ``FillWindow``; nil in the streaming modes (they decide row by
    /// row) and while the buffer does not accept rows.
    func openFill() -> FillWindow? {
        guard !mode.isStreaming, acceptsRows else { return nil }
        return FillWindow(features: fillFeatures, targets: fillTargets, filled: slotCounts[fillSlot], capacity: capacity)
    }

    /// Records that the fill slot holds `rows` rows (1...capacity, written through
    /// ``add(_:target:)`` or a ``FillWindow``); true when that filled the buffer: call
    /// ``advance()`` until it returns false before adding more.
    func commitFill(rows: Int) -> Bool {
        slotCounts[fillSlot] = rows
        guard rows == capacity else { return false }
        if concurrent {
            awaitingSubmit = true
        } else {
            beginTraining(flush: false)
        }
        return true
    }

    /// Ends a pass: the partial buffer is trained, then the learner's pass ends. Call
    /// ``advance()`` until it returns false afterwards.
    func finishPass() {
        if concurrent {
            if finishStage == 0 { finishStage = 1 }
            return
        }
        guard !training else { return }
        stream = nil
        // MRS ends on the dropped-row stream; its reservoir is discarded (StreamingOrder).
        if mode == .reservoir { slotCounts[0] = 0 }
        if slotCounts[0] > 0 {
            beginTraining(flush: true)
        } else {
            learner.endPass()
        }
    }

    /// Points an idle, empty buffer at another learner (a model hopping onto this
    /// segment), continuing that model's epoch, buffer count and seed; false (nothing
    /// changed) while work is under way or rows are buffered, or when the learner's
    /// rows have another width.
    @discardableResult
    func rebind(to next: any BufferedRowConsumer, epoch: Int, buffersThisEpoch: Int, seed: Int64) -> Bool {
        guard !isTraining, bufferedRows == 0, stream == nil, next.featureCount == featureCount else { return false }
        learner = next
        self.epoch = epoch
        self.buffersThisEpoch = buffersThisEpoch
        runSeed = seed
        return true
    }

    /// Closes the epoch for the buffer: the next buffers are seeded by the next epoch.
    func endEpoch(next: Int) {
        epoch = next
        buffersThisEpoch = 0
    }

    /// Does a bounded amount of the pending work (a few milliseconds: training rows
    /// inline, or waiting for the worker); returns true while work remains.
    func advance() -> Bool {
        guard concurrent else {
            return trainStep(maxRows: max(1, 2_000_000 / max(1, featureCount * learner.outputs)))
        }
        if fillerSlot >= 0 {
            trainFillerStep()
            return true
        }
        if awaitingSubmit {
            if !balancedThisBuffer, fillerMembers >= 0, workerBusy, let worker {
                // The worker still busy now: it has too much; idle already: too little.
                let members = learner.memberCount
                fillerMembers = worker.isDone(ticket: pendingTicket)
                    ? max(0, fillerMembers - 1) : min(members - 1, fillerMembers + 1)
                balancedThisBuffer = true
            }
            guard waitForWorker() else { return true }
            submitFillSlot()
            awaitingSubmit = false
            return finishStage != 0
        }
        switch finishStage {
        case 1:
            guard waitForWorker() else { return true }
            if slotCounts[fillSlot] > 0 { submitFillSlot() }
            finishStage = 2
            return true
        case 2:
            guard waitForWorker() else { return true }
            learner.endPass()
            finishStage = 0
            return false
        default:
            return false
        }
    }

    /// Synchronous mode: trains up to `maxRows` buffered rows inline; returns true while
    /// rows remain. (In concurrent mode it is ``advance()``.)
    func trainStep(maxRows: Int) -> Bool {
        if concurrent { return advance() }
        guard training else { return false }
        let count = slotCounts[0]
        let end = min(count, trainPosition + max(1, maxRows))
        learner.learn(features: slotFeatures[0], targets: slotTargets[0], order: slotOrder[0],
                      range: trainPosition..<end, count: count, stop: nil)
        trainPosition = end
        if trainPosition == count {
            training = false
            slotCounts[0] = 0
            trainPosition = 0
            if flushing { learner.endPass(); flushing = false }
            return false
        }
        return true
    }

    // MARK: - Internals

    /// Waits (at most 50 ms) for the worker to finish its buffer; true when idle.
    private func waitForWorker() -> Bool {
        guard let worker, workerBusy else { return true }
        if worker.waitUntilDone(ticket: pendingTicket, milliseconds: 50) {
            workerBusy = false
            return true
        }
        return false
    }

    /// Hands the fill slot to the worker and starts filling the other one.
    private func submitFillSlot() {
        let slot = fillSlot
        let seed = SeedDerivation.bufferSeed(runSeed: runSeed, epoch: epoch, buffer: buffersThisEpoch)
        buffersThisEpoch += 1
        fillSlot = 1 - fillSlot
        if worker == nil && !sharesWorker { worker = TrainingWorker.make() }
        guard let worker else {
            // No thread could be started: train inline (correct, just not overlapped).
            trainSlot(slot, seed: seed, stop: nil)
            return
        }
        workerBusy = true
        // The job holds no reference to the buffer: calling a method through an
        // unowned reference would retain it for the call, and the last release (and so
        // deinit) could then happen on the worker. shutdown() joins the worker before
        // any memory the job touches is freed, and a job not yet started never runs.
        let buffer = Unmanaged.passUnretained(self)
        let members = learner.memberCount
        if members >= 2 {
            // Shuffled here, before either part starts; the worker trains its part while
            // this thread trains the filler part (advance()), then fills the other slot.
            if fillerMembers < 0 { fillerMembers = (members + 1) / 3 }
            fillerMembers = min(fillerMembers, members - 1)
            let split = members - fillerMembers
            let count = slotCounts[slot]
            permute(slot: slot, count: count, seed: seed)
            fillerSlot = fillerMembers > 0 ? slot : -1
            fillerPosition = 0
            fillerCount = count
            fillerPart = split..<members
            balancedThisBuffer = false
            pendingTicket = worker.submit { [unowned worker] in
                buffer._withUnsafeGuaranteedRef { $0.trainWorkerPart(slot, members: 0..<split, count: count, stop: worker) }
            }
            return
        }
        pendingTicket = worker.submit { [unowned worker] in
            buffer._withUnsafeGuaranteedRef { $0.trainSlot(slot, seed: seed, stop: worker) }
        }
    }

    /// The worker's part of a shuffled slot (split work); runs on the worker.
    private func trainWorkerPart(_ slot: Int, members: Range<Int>, count: Int, stop: TrainingWorker?) {
        learner.learn(members: members, features: slotFeatures[slot], targets: slotTargets[slot],
                      order: slotOrder[slot], range: 0..<count, count: count, stop: stop)
        slotCounts[slot] = 0
    }

    /// A bounded step of the filler part of the submitted slot (split work), on the
    /// filling thread: the slot is not filled again before this part is done.
    private func trainFillerStep() {
        let end = min(fillerCount, fillerPosition + max(1, 2_000_000 / max(1, featureCount * learner.outputs)))
        learner.learn(members: fillerPart, features: slotFeatures[fillerSlot], targets: slotTargets[fillerSlot],
                      order: slotOrder[fillerSlot], range: fillerPosition..<end, count: fillerCount, stop: nil)
        fillerPosition = end
        if end == fillerCount { fillerSlot = -1 }
    }

    /// Shuffles (when the mode shuffles) and trains a whole slot; runs on the worker.
    private func trainSlot(_ slot: Int, seed: UInt64, stop: TrainingWorker?) {
        let count = slotCounts[slot]
        permute(slot: slot, count: count, seed: seed)
        learner.learn(features: slotFeatures[slot], targets: slotTargets[slot], order: slotOrder[slot],
                      range: 0..<count, count: count, stop: stop)
        slotCounts[slot] = 0
    }

    /// Fills the slot's order with 0..<count, Fisher-Yates shuffled unless the mode
    /// keeps arrival order.
    private func permute(slot: Int, count: Int, seed: UInt64) {
        let order = slotOrder[slot]
        for i in 0..<count { order[i] = UInt32(truncatingIfNeeded: i) }
        if mode != .arrivalOrder {
            var generator = Xoshiro256StarStar(seed: seed)
            generator.shuffle(UnsafeMutableBufferPointer(start: order, count: count))
        }
    }

    /// Sliding window or MRS: applies ``StreamingOrder``'s decision for one arriving row.
    private func addStreaming(_ features: UnsafeBufferPointer<Double>, target: Double) {
        if stream == nil {
            let kind: StreamingOrder.Kind = mode == .slidingWindow
                ? .slidingWindow : .reservoir(memoryProbability: memoryStepProbability)
            stream = StreamingOrder(kind: kind, capacity: capacity, seed: SeedDerivation.bufferSeed(
                runSeed: runSeed, epoch: epoch, buffer: buffersThisEpoch))
            buffersThisEpoch += 1
        }
        guard var order = stream, let arriving = features.baseAddress else { return }
        let step = order.arrive()
        stream = order
        let rows = slotFeatures[0], targets = slotTargets[0], n = featureCount
        if let slot = step.evictSlot { learner.learn(row: rows + slot * n, target: targets[slot]) }
        if let slot = step.storeSlot {
            let destination = rows + slot * n
            for i in 0..<n { destination[i] = arriving[i] }
            targets[slot] = target
            slotCounts[0] = max(slotCounts[0], slot + 1)
        }
        if step.trainArriving { learner.learn(row: arriving, target: target) }
        if let slot = step.memorySlot { learner.learn(row: rows + slot * n, target: targets[slot]) }
    }

    /// Synchronous mode: prepares slot 0 for inline training.
    private func beginTraining(flush: Bool) {
        let seed = SeedDerivation.bufferSeed(runSeed: runSeed, epoch: epoch, buffer: buffersThisEpoch)
        permute(slot: 0, count: slotCounts[0], seed: seed)
        buffersThisEpoch += 1
        trainPosition = 0
        training = true
        flushing = flush
    }
}
