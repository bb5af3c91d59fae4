/// The one background thread the trainers of a grouped pass share: each group's tuple
/// buffer hands its full buffers to it, in submission order, and waits only for its own
/// (so the backend keeps routing rows to the other groups meanwhile). A group's buffers
/// are trained in the order they filled, on the group's own learner, so every model is
/// the same as trained inline; only the overlap with reading changes.
///
/// Contract: holds the process's one worker slot while alive; ``release()`` (or
/// deinit) stops and joins the thread and gives the slot back, after which trainers made
/// with it must not train. Nil from ``make()`` when the slot is taken or no thread could
/// start: trainers then train inline, with the same results.
public final class SharedTrainingWorker {
    let worker: TrainingWorker

    /// Buffers smaller than this train inline: handing a few rows to the thread (a queue
    /// entry, a wake-up, a wait) costs more than training them.
    public static let minimumBufferRows = 32

    private init(worker: TrainingWorker) { self.worker = worker }

    /// A shared worker, or nil (see the type's contract).
    public static func make() -> SharedTrainingWorker? {
        TrainingWorker.makeShared().map(SharedTrainingWorker.init(worker:))
    }

    /// Stops and joins the thread, gives the slot back. Idempotent.
    public func release() { worker.releaseShared() }

    deinit { release() }
}
