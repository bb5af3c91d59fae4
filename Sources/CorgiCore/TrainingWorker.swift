import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One background thread that runs training jobs, one at a time, in submission order
/// (a queue: the tuple buffers of many groups may share one worker, each waiting for its
/// own job by the ticket ``submit(_:)`` returned).
///
/// Contract:
/// - The thread only runs the job closure given to it (pure arithmetic on memory the
///   trainer owns); it never calls into PostgreSQL, never allocates on the job path and
///   blocks every signal, so the server's signal handlers keep running on the backend
///   thread only.
/// - ``waitUntilDone(ticket:milliseconds:)`` never blocks longer than asked, so the backend
///   can check for interrupts between waits.
/// - ``stopAndJoin()`` asks the job to stop at its next check and joins the thread; the
///   owner must call it before dropping the worker (the running thread holds a
///   reference, so `deinit` cannot run before it).
/// - Creation failure is reported (`make` returns nil); callers then train inline.
/// - At most one worker exists per process (a backend): ``reserve()`` hands out the one
///   slot, so a hash aggregate over thousands of groups starts one thread, not thousands;
///   trainers that get no slot train inline.
final class TrainingWorker: @unchecked Sendable {
    /// Whether a trainer holds the process's one worker slot. Only the backend's main
    /// thread creates and releases trainers, so a plain flag is enough.
    nonisolated(unsafe) private static var slotTaken = false

    /// A worker for many buffers (the groups of a grouped pass): takes the process's
    /// slot and starts the thread; nil when the slot is taken or no thread could start
    /// (the buffers then train inline). The owner stops it and gives the slot back with
    /// ``releaseShared()``.
    static func makeShared() -> TrainingWorker? {
        guard reserve() else { return nil }
        guard let worker = make() else { unreserve(); return nil }
        return worker
    }

    /// Stops and joins a worker made by ``makeShared()`` and gives the slot back. Idempotent.
    func releaseShared() {
        guard !sharedReleased else { return }
        sharedReleased = true
        stopAndJoin()
        TrainingWorker.unreserve()
    }
    private var sharedReleased = false

    /// Takes the process's one worker slot; false when another trainer holds it.
    static func reserve() -> Bool {
        if slotTaken { return false }
        slotTaken = true
        return true
    }

    /// Gives the slot back (after the worker, if any, was joined).
    static func unreserve() { slotTaken = false }

    /// Threads started and not yet joined in this process (a diagnostic for tests).
    nonisolated(unsafe) static var liveThreads = 0

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let changed: UnsafeMutablePointer<pthread_cond_t>
    private var thread = pthread_t()
    /// Jobs not yet started, oldest first (appended by the backend, taken by the thread).
    private var jobs: [() -> Void] = []
    /// Tickets handed out, and tickets whose job finished (jobs run in ticket order).
    private var submitted: UInt64 = 0
    private var finished: UInt64 = 0
    private var stopping = false
    private var joined = false
    /// Read by running jobs to stop early during teardown.
    let stopRequested = Atomic<Bool>(false)

    private init() {
        mutex = .allocate(capacity: 1)
        changed = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    /// Starts the thread with every signal blocked, or returns nil if it cannot start.
    static func make() -> TrainingWorker? {
        let worker = TrainingWorker()
        var all = sigset_t(), previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &previous)
        let context = Unmanaged.passRetained(worker).toOpaque()
        let status = pthread_create(&worker.thread, nil, { context in
            let worker = Unmanaged<TrainingWorker>.fromOpaque(context!).takeRetainedValue()
            worker.run()
            return nil
        }, context)
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        if status != 0 {
            Unmanaged<TrainingWorker>.fromOpaque(context).release()
            worker.joined = true
            return nil
        }
        liveThreads += 1
        return worker
    }

    deinit {
        stopAndJoin()
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Queues a job behind those already submitted; returns its ticket, for
    /// ``waitUntilDone(ticket:milliseconds:)``.
    @discardableResult
    func submit(_ work: @escaping () -> Void) -> UInt64 {
        pthread_mutex_lock(mutex)
        jobs.append(work)
        submitted += 1
        let ticket = submitted
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        return ticket
    }

    /// Waits up to `milliseconds` for the job of `ticket` (and every earlier one) to
    /// finish; true when it did, or when the worker was stopped (its queued jobs never run).
    func waitUntilDone(ticket: UInt64, milliseconds: Int) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if finished >= ticket || stopping { return true }
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanoseconds = Int(deadline.tv_nsec) + milliseconds * 1_000_000
        deadline.tv_sec += nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        while finished < ticket && !stopping {
            if pthread_cond_timedwait(changed, mutex, &deadline) == ETIMEDOUT { break }
        }
        return finished >= ticket || stopping
    }

    /// Stops the running job at its next check and joins the thread. Idempotent.
    /// Must be called from the thread that made the worker (the backend), never from
    /// a job: a thread cannot join itself (if it happens anyway, the thread is detached
    /// rather than left unjoinable).
    func stopAndJoin() {
        pthread_mutex_lock(mutex)
        if joined { pthread_mutex_unlock(mutex); return }
        stopping = true
        stopRequested.store(true, ordering: .relaxed)
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        if pthread_equal(pthread_self(), thread) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
            TrainingWorker.liveThreads -= 1
        }
        joined = true
    }

    private func run() {
        pthread_mutex_lock(mutex)
        while true {
            while jobs.isEmpty && !stopping { pthread_cond_wait(changed, mutex) }
            guard !stopping, !jobs.isEmpty else { break }
            let work = jobs.removeFirst()
            pthread_mutex_unlock(mutex)
            work()
            pthread_mutex_lock(mutex)
            finished += 1
            pthread_cond_broadcast(changed)
        }
        jobs.removeAll()
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }
}
