import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One background thread that runs training jobs, one at a time, in submission order.
///
/// Contract:
/// - The thread only runs the job closure given to it (pure arithmetic on memory the
///   trainer owns); it never calls into PostgreSQL, never allocates on the job path and
///   blocks every signal, so the server's signal handlers keep running on the backend
///   thread only.
/// - ``waitUntilIdle(milliseconds:)`` never blocks longer than asked, so the backend
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
    private var job: (() -> Void)?
    private var busy = false
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

    /// Hands a job to the thread. Call only when ``waitUntilIdle(milliseconds:)`` said idle.
    func submit(_ work: @escaping () -> Void) {
        pthread_mutex_lock(mutex)
        job = work
        busy = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    /// Waits up to `milliseconds` for the current job to finish; true when idle.
    func waitUntilIdle(milliseconds: Int) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if !busy { return true }
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanoseconds = Int(deadline.tv_nsec) + milliseconds * 1_000_000
        deadline.tv_sec += nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        while busy {
            if pthread_cond_timedwait(changed, mutex, &deadline) == ETIMEDOUT { break }
        }
        return !busy
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
            while job == nil && !stopping { pthread_cond_wait(changed, mutex) }
            guard !stopping, let work = job else { break }
            job = nil
            pthread_mutex_unlock(mutex)
            work()
            pthread_mutex_lock(mutex)
            busy = false
            pthread_cond_broadcast(changed)
        }
        job = nil
        busy = false
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }
}
