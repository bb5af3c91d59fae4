/// What the one epoch loop (corgi_fit.c) does with a job of tasks, decided here so that
/// the rules are tested without a server: how the tasks read their source, what happens
/// to a task that diverges, and which seconds an epoch reports.
///
/// | call | plans' path | segments | tasks | read path | divergence | epoch seconds |
/// |---|---|---|---|---|---|---|
/// | train | partitions | yes | 1 | partitions | stop the call | the epoch's wall time |
/// | train | fast | yes | 1 | hop | stop the call | wall time |
/// | train | fast | no | 1 | pass | stop the call | wall time |
/// | train | composed | no | 1 | composed | stop the call | wall time |
/// | fit_multiple | partitions | yes | 1-1000 | partitions | set the task aside | the task's, as hopping measures it |
/// | fit_multiple | fast | yes | 1-1000 | hop | set the task aside | the task's |
/// | train, grouped | fast | no | 1 (its groups are the tasks) | group pass | set the group aside | wall time |
/// | train, grouped | composed | no | 1 | group composed | set the group aside | wall time |
/// | train, grouped | fast | yes | 1 (its groups, one bundle) | group hop | set the group aside | wall time |
/// | fit_multiple, grouped | fast | yes | 1-1000 (each one bundle of its groups) | group hop | set the group aside | the task's |
/// | train or fit_multiple, grouped | partitions | yes | as above | group hop (a segment is a local partition) | set the group aside | as above |
///
/// Anything else is no job: a composed read cannot hop (its rows come from a query, not
/// from pages cut into segments), and one pass or one query trains one task.
public struct TrainingJob: Equatable, Sendable {
    /// The front door a job came through.
    public enum Call: String, Sendable {
        case train
        case fitMultiple = "fit_multiple"
    }

    /// How every task of the job reads the source each epoch (numbers shared with C:
    /// `CorgiReadPath`).
    public enum ReadPath: Int32, Sendable {
        /// Model hopping over a partitioned table's partitions, each where it lives.
        case partitions = 1
        /// Model hopping over segments of one heap table.
        case hop = 2
        /// One task, the heap table's pages read directly.
        case pass = 3
        /// One task, rows from a query through the aggregate.
        case composed = 4
        /// A plan's groups, the heap table read directly once per batch of groups, each row
        /// routed to its group.
        case groupPass = 5
        /// A plan's groups, rows from a query through the grouped aggregate.
        case groupComposed = 6
        /// Each plan's groups as one bundle, the bundles hopping over segments of one heap
        /// table, or over the local partitions of a partitioned table.
        case groupHop = 7
    }

    /// What a task whose loss or weights stop being finite does to the job.
    public enum Divergence: Sendable {
        /// The call fails, naming the epoch (one model: nothing to keep).
        case stopCall
        /// The task keeps its last state and stops; the others go on.
        case setTaskAside
        /// A group whose loss stops being finite keeps its last state and fails; the
        /// other groups go on (the call fails when every group has).
        case setGroupAside
    }

    /// The most tasks one job trains (fit_multiple's config limit).
    public static let maxTasks = 1000

    public let readPath: ReadPath
    public let divergence: Divergence
    /// Whether an epoch's seconds are each task's own (many tasks share an epoch's wall
    /// time), or the epoch's wall time (one task).
    public let secondsPerTask: Bool

    /// The most groups one grouped job trains (grouping_cols' limit).
    public static let maxGroups = 1_000_000

    /// The job for `tasks` plans of `path` ("partitions", "fast" or "composed", as
    /// corgi._train_prepare decides it) through `call`, hopping when `segments`, with
    /// `groups` groups (0: not grouped); nil when no row of the table above matches.
    public init?(call: String, path: String, segments: Bool, tasks: Int, groups: Int = 0) {
        guard let call = Call(rawValue: call), tasks >= 1, tasks <= Self.maxTasks,
              groups >= 0, groups <= Self.maxGroups else { return nil }
        if groups > 0, call == .fitMultiple {
            guard path == "fast" || path == "partitions", segments else { return nil }
            self.init(readPath: .groupHop, divergence: .setGroupAside, secondsPerTask: true)
            return
        }
        if groups > 0 {
            guard tasks == 1 else { return nil }
            if segments {
                guard path == "fast" || path == "partitions" else { return nil }
                self.init(readPath: .groupHop, divergence: .setGroupAside, secondsPerTask: false)
                return
            }
            switch path {
            case "fast": self.init(readPath: .groupPass, divergence: .setGroupAside, secondsPerTask: false)
            case "composed": self.init(readPath: .groupComposed, divergence: .setGroupAside, secondsPerTask: false)
            default: return nil
            }
            return
        }
        let read: ReadPath
        switch (path, segments) {
        case ("partitions", true): read = .partitions
        case ("fast", true): read = .hop
        case ("fast", false): read = .pass
        case ("composed", false): read = .composed
        default: return nil
        }
        switch call {
        case .train:
            guard tasks == 1 else { return nil }
            self.init(readPath: read, divergence: .stopCall, secondsPerTask: false)
        case .fitMultiple:
            guard read == .partitions || read == .hop else { return nil }
            self.init(readPath: read, divergence: .setTaskAside, secondsPerTask: true)
        }
    }

    private init(readPath: ReadPath, divergence: Divergence, secondsPerTask: Bool) {
        self.readPath = readPath
        self.divergence = divergence
        self.secondsPerTask = secondsPerTask
    }
}
