import CorgiABI
import CorgiCore

/// C: `int32_t corgi_job_plan(const char *call, const char *path, int32_t segments, int32_t tasks,
/// int32_t groups, int32_t *read_path, int32_t *sets_aside, int32_t *per_task_seconds)`: the
/// rules of the one epoch loop for a job (``TrainingJob``): its read path (a
/// `CorgiReadPath`), whether a diverged task or group is set aside (1) or stops the call
/// (0), and whether epoch seconds are per task (1) or the epoch's wall time (0); 0 when
/// the combination is no job.
@_cdecl("corgi_job_plan")
public func corgi_job_plan(
    _ call: UnsafePointer<CChar>?, _ path: UnsafePointer<CChar>?, _ segments: Int32, _ tasks: Int32, _ groups: Int32,
    _ readPath: UnsafeMutablePointer<Int32>?, _ setsAside: UnsafeMutablePointer<Int32>?,
    _ perTaskSeconds: UnsafeMutablePointer<Int32>?
) -> Int32 {
    guard let call, let path, let readPath, let setsAside, let perTaskSeconds,
          let job = TrainingJob(call: String(cString: call), path: String(cString: path), segments: segments != 0,
                                tasks: Int(tasks), groups: Int(groups))
    else { return 0 }
    readPath.pointee = job.readPath.rawValue
    setsAside.pointee = job.divergence == .stopCall ? 0 : 1
    perTaskSeconds.pointee = job.secondsPerTask ? 1 : 0
    return 1
}

/// A tri-state fact from C: -1 not known, 0 no, 1 yes.
private func fact(_ value: Int32) -> Bool? { value < 0 ? nil : value != 0 }

/// C: `int32_t corgi_job_unoffered(const char *call, const char *source, int32_t grouped,
/// int32_t partitions, int32_t segments, int32_t composed, const char *shuffle,
/// const char *grouping_expression, int32_t early_stopping, const char *schedule,
/// CorgiRefusal *refusal)`: 1 and the error when the
/// call's combination is a row of ``Capabilities`` (facts -1 or NULL: not known), 0 when
/// it is offered (or the call is unknown).
@_cdecl("corgi_job_unoffered")
public func corgi_job_unoffered(
    _ call: UnsafePointer<CChar>?, _ source: UnsafePointer<CChar>?, _ grouped: Int32, _ partitions: Int32,
    _ segments: Int32, _ composed: Int32, _ shuffle: UnsafePointer<CChar>?, _ groupingExpression: UnsafePointer<CChar>?,
    _ earlyStopping: Int32, _ schedule: UnsafePointer<CChar>?, _ refusal: UnsafeMutablePointer<CorgiRefusal>?
) -> Int32 {
    guard let call, let source, let refusal, let kind = TrainingJob.Call(rawValue: String(cString: call)) else { return 0 }
    let request = Capabilities.Request(
        call: kind, source: String(cString: source), grouped: fact(grouped), partitions: fact(partitions),
        segments: fact(segments), composed: fact(composed), shuffle: shuffle.map { String(cString: $0) },
        groupingExpression: groupingExpression.map { String(cString: $0) }, earlyStopping: fact(earlyStopping),
        schedule: schedule.map { String(cString: $0) })
    guard let refused = Capabilities.refusal(for: request) else { return 0 }
    withUnsafeMutableBytes(of: &refusal.pointee.message) { copyCString(refused.message, into: $0) }
    withUnsafeMutableBytes(of: &refusal.pointee.detail) { copyCString(refused.detail, into: $0) }
    withUnsafeMutableBytes(of: &refusal.pointee.hint) { copyCString(refused.hint, into: $0) }
    return 1
}

/// C: `int32_t corgi_schedule_rungs(const char *schedule, const char *params, int32_t configs,
/// int32_t epochs, int32_t *rung_bracket, int32_t *rung_epochs, int32_t *rung_keep, int32_t capacity,
/// int32_t *bracket_configs, int32_t bracket_capacity, int32_t *brackets, CorgiError *error)`: the
/// rungs of a `corgi.fit_multiple` schedule (``TrainingSchedule``): their count (0 for grid,
/// which has none), each rung's bracket (0..), last epoch and how many configs it keeps,
/// and how many configs each bracket starts (successive halving: one bracket of all;
/// ``Hyperband``: its brackets, the configs split over them in its proportions, or its own
/// counts when configs < 1); with `config_bracket` (room for `configs`), each config's
/// bracket (``Hyperband/configBrackets``; 0 for successive halving); -1 and the error for
/// a bad schedule.
@_cdecl("corgi_schedule_rungs")
public func corgi_schedule_rungs(
    _ schedule: UnsafePointer<CChar>?, _ params: UnsafePointer<CChar>?, _ configs: Int32, _ epochs: Int32,
    _ rungBracket: UnsafeMutablePointer<Int32>?, _ rungEpochs: UnsafeMutablePointer<Int32>?,
    _ rungKeep: UnsafeMutablePointer<Int32>?, _ capacity: Int32, _ bracketConfigs: UnsafeMutablePointer<Int32>?,
    _ bracketCapacity: Int32, _ brackets: UnsafeMutablePointer<Int32>?, _ configBracket: UnsafeMutablePointer<Int32>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let schedule, let params, let rungBracket, let rungEpochs, let rungKeep, let bracketConfigs, let brackets
    else {
        report(CORGI_INTERNAL, "corgi_schedule_rungs: null argument", into: error)
        return -1
    }
    brackets.pointee = 0
    var plan: [(configs: Int, halving: SuccessiveHalving)] = []
    switch TrainingSchedule.parse(name: String(cString: schedule), params: String(cString: params)) {
    case .failure(let failure):
        report(CORGI_INVALID_ARGUMENT, failure.message, hint: failure.hint, into: error)
        return -1
    case .success(.grid):
        return 0
    case .success(.successiveHalving(let eta)):
        guard let halving = SuccessiveHalving(configs: Int(configs), eta: eta, epochs: Int(epochs)) else {
            report(CORGI_INVALID_ARGUMENT, "successive halving cannot schedule \(configs) configs over \(epochs) epochs",
                   hint: "Train 1 to 1000 configs for at least one epoch.", into: error)
            return -1
        }
        plan = [(Int(configs), halving)]
        if let configBracket { for k in 0..<Int(max(configs, 0)) { configBracket[k] = 0 } }
    case .success(.hyperband(let eta)):
        guard epochs >= 1 else {
            report(CORGI_INVALID_ARGUMENT, "hyperband needs at least one epoch, got \(epochs)",
                   hint: "Give the most epochs a config may train.", into: error)
            return -1
        }
        guard let own = Hyperband(eta: eta, epochs: Int(epochs)) else {
            report(CORGI_INVALID_ARGUMENT, "hyperband with eta=\(eta) over \(epochs) epochs has too many brackets",
                   hint: "Train fewer epochs, or raise eta.", into: error)
            return -1
        }
        // configs < 1: Hyperband's own counts (corgi.hyperband_schedule shows them).
        guard let hyperband = configs < 1 ? own : Hyperband(eta: eta, epochs: Int(epochs), configs: Int(configs)) else {
            report(CORGI_INVALID_ARGUMENT,
                   "hyperband with eta=\(eta) over \(epochs) epochs has \(own.brackets.count) brackets, more than the \(configs) configs",
                   hint: "Give at least one config per bracket; Hyperband's own counts are \(own.brackets.map { String($0.configs) }.joined(separator: ", ")).",
                   into: error)
            return -1
        }
        plan = hyperband.brackets.map { ($0.configs, $0.halving) }
        if let configBracket, configs >= 1 {
            for (k, b) in hyperband.configBrackets.prefix(Int(configs)).enumerated() { configBracket[k] = Int32(b) }
        }
    }
    let rungCount = plan.reduce(0) { $0 + $1.halving.rungs.count }
    guard rungCount <= Int(capacity), plan.count <= Int(bracketCapacity) else {
        report(CORGI_INTERNAL, "corgi_schedule_rungs: \(rungCount) rungs do not fit", into: error)
        return -1
    }
    var at = 0
    for (b, bracket) in plan.enumerated() {
        bracketConfigs[b] = Int32(bracket.configs)
        for rung in bracket.halving.rungs {
            rungBracket[at] = Int32(b)
            rungEpochs[at] = Int32(clamping: rung.epoch)
            rungKeep[at] = Int32(clamping: rung.keep)
            at += 1
        }
    }
    brackets.pointee = Int32(plan.count)
    return Int32(rungCount)
}

/// C: `int32_t corgi_schedule_survivors(const double *metrics, const int32_t *known, int32_t count,
/// int32_t keep, int32_t higher_is_better, int32_t *survivors)`: the indexes of the `keep`
/// configs that go on after a rung, best first (``SuccessiveHalving/survivors``); their count.
@_cdecl("corgi_schedule_survivors")
public func corgi_schedule_survivors(
    _ metrics: UnsafePointer<Double>?, _ known: UnsafePointer<Int32>?, _ count: Int32, _ keep: Int32,
    _ higherIsBetter: Int32, _ survivors: UnsafeMutablePointer<Int32>?
) -> Int32 {
    guard let metrics, let known, let survivors, count >= 0 else { return 0 }
    let values: [Double?] = (0..<Int(count)).map { known[$0] != 0 ? metrics[$0] : nil }
    let kept = SuccessiveHalving.survivors(metrics: values, keep: Int(keep), higherIsBetter: higherIsBetter != 0)
    for (i, index) in kept.enumerated() { survivors[i] = Int32(index) }
    return Int32(kept.count)
}
