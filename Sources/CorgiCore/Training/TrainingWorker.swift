import Synchronization
import CorgiKernels

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
    /// Signalled when a job arrives (or a stop is asked) while the thread sleeps.
    private let workArrived: UnsafeMutablePointer<pthread_cond_t>
    /// Broadcast when a job finishes while the backend waits for one.
    private let jobFinished: UnsafeMutablePointer<pthread_cond_t>
    private var thread = pthread_t()
    /// Jobs, oldest first from `nextJob` (appended by the backend, taken by the thread;
    /// emptied whenever the thread has caught up, so it does not grow with a pass).
    private var jobs: [(() -> Void)?] = []
    private var nextJob = 0
    /// Tickets handed out (written under the mutex, read by the thread's poll without it),
    /// and tickets whose job finished (jobs run in ticket order).
    private let submitted = Atomic<UInt64>(0)
    private let finished = Atomic<UInt64>(0)
    /// Under the mutex: the thread sleeps on `workArrived`; the backend waits on `jobFinished`.
    private var threadSleeps = false
    private var backendWaits = false
    private var stopping = false
    private var joined = false
    /// Read by running jobs to stop early during teardown.
    let stopRequested = Atomic<Bool>(false)

    /// How long the thread polls for the next job before it sleeps. The jobs of a grouped
    /// pass arrive every few tens of microseconds (a group's small buffer fills); waking a
    /// sleeping thread costs the backend a system call and the thread a reschedule each
    /// time, which at thousands of buffers per epoch cost more than the polling (a core
    /// the pass holds anyway, for at most this long after its last job).
    static let spinNanoseconds = 100_000

    private init() {
        mutex = .allocate(capacity: 1)
        workArrived = .allocate(capacity: 1)
        jobFinished = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workArrived, nil)
        pthread_cond_init(jobFinished, nil)
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
        pthread_cond_destroy(workArrived)
        pthread_cond_destroy(jobFinished)
        pthread_mutex_destroy(mutex)
        workArrived.deallocate()
        jobFinished.deallocate()
        mutex.deallocate()
    }

    /// Queues a job behind those already submitted; returns its ticket, for
    /// ``waitUntilDone(ticket:milliseconds:)``. Wakes the thread only if it sleeps.
    @discardableResult
    func submit(_ work: @escaping () -> Void) -> UInt64 {
        pthread_mutex_lock(mutex)
        jobs.append(work)
        let ticket = submitted.load(ordering: .relaxed) &+ 1
        submitted.store(ticket, ordering: .releasing)
        let wake = threadSleeps
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(workArrived) }
        return ticket
    }

    /// Whether the job of `ticket` (and every earlier one) has finished; never waits.
    func isDone(ticket: UInt64) -> Bool { finished.load(ordering: .acquiring) >= ticket }

    /// Waits up to `milliseconds` for the job of `ticket` (and every earlier one) to
    /// finish; true when it did, or when the worker was stopped (its queued jobs never run).
    func waitUntilDone(ticket: UInt64, milliseconds: Int) -> Bool {
        if finished.load(ordering: .acquiring) >= ticket { return true }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if finished.load(ordering: .acquiring) >= ticket || stopping { return true }
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanoseconds = Int(deadline.tv_nsec) + milliseconds * 1_000_000
        deadline.tv_sec += nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        backendWaits = true
        defer { backendWaits = false }
        while finished.load(ordering: .acquiring) < ticket && !stopping {
            if pthread_cond_timedwait(jobFinished, mutex, &deadline) == ETIMEDOUT { break }
        }
        return finished.load(ordering: .acquiring) >= ticket || stopping
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
        pthread_cond_broadcast(workArrived)
        pthread_cond_broadcast(jobFinished)
        pthread_mutex_unlock(mutex)
        if pthread_equal(pthread_self(), thread) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
            TrainingWorker.liveThreads -= 1
        }
        joined = true
    }

    /// Polls (without the mutex) until a job after `taken` was submitted, a stop was
    /// asked, or ``spinNanoseconds`` passed (the caller then looks, under the mutex).
    private func spinForJob(after taken: UInt64) {
        var start = timespec(), now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        while true {
            for _ in 0..<64 {
                if submitted.load(ordering: .acquiring) > taken || stopRequested.load(ordering: .relaxed) { return }
                corgi_cpu_relax()
            }
            clock_gettime(CLOCK_MONOTONIC, &now)
            let elapsed = (Int(now.tv_sec) - Int(start.tv_sec)) * 1_000_000_000 + Int(now.tv_nsec) - Int(start.tv_nsec)
            if elapsed >= TrainingWorker.spinNanoseconds { return }
        }
    }

    private func run() {
        var taken: UInt64 = 0
        pthread_mutex_lock(mutex)
        while true {
            if nextJob == jobs.count && !stopping {
                // Caught up: reuse the queue's storage from its start, poll a while, then sleep.
                jobs.removeAll(keepingCapacity: true)
                nextJob = 0
                pthread_mutex_unlock(mutex)
                spinForJob(after: taken)
                pthread_mutex_lock(mutex)
                while nextJob == jobs.count && !stopping {
                    threadSleeps = true
                    pthread_cond_wait(workArrived, mutex)
                    threadSleeps = false
                }
            }
            guard !stopping, nextJob < jobs.count, let work = jobs[nextJob] else { break }
            jobs[nextJob] = nil
            nextJob += 1
            taken += 1
            pthread_mutex_unlock(mutex)
            work()
            finished.store(taken, ordering: .releasing)
            pthread_mutex_lock(mutex)
            if backendWaits { pthread_cond_broadcast(jobFinished) }
        }
        jobs.removeAll()
        nextJob = 0
        pthread_cond_broadcast(jobFinished)
        pthread_mutex_unlock(mutex)
    }
}
