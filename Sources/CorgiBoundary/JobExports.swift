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
/// const char *grouping_expression, int32_t early_stopping, CorgiRefusal *refusal)`: 1 and the error when the
/// call's combination is a row of ``Capabilities`` (facts -1 or NULL: not known), 0 when
/// it is offered (or the call is unknown).
@_cdecl("corgi_job_unoffered")
public func corgi_job_unoffered(
    _ call: UnsafePointer<CChar>?, _ source: UnsafePointer<CChar>?, _ grouped: Int32, _ partitions: Int32,
    _ segments: Int32, _ composed: Int32, _ shuffle: UnsafePointer<CChar>?, _ groupingExpression: UnsafePointer<CChar>?,
    _ earlyStopping: Int32, _ refusal: UnsafeMutablePointer<CorgiRefusal>?
) -> Int32 {
    guard let call, let source, let refusal, let kind = TrainingJob.Call(rawValue: String(cString: call)) else { return 0 }
    let request = Capabilities.Request(
        call: kind, source: String(cString: source), grouped: fact(grouped), partitions: fact(partitions),
        segments: fact(segments), composed: fact(composed), shuffle: shuffle.map { String(cString: $0) },
        groupingExpression: groupingExpression.map { String(cString: $0) }, earlyStopping: fact(earlyStopping))
    guard let refused = Capabilities.refusal(for: request) else { return 0 }
    withUnsafeMutableBytes(of: &refusal.pointee.message) { copyCString(refused.message, into: $0) }
    withUnsafeMutableBytes(of: &refusal.pointee.detail) { copyCString(refused.detail, into: $0) }
    withUnsafeMutableBytes(of: &refusal.pointee.hint) { copyCString(refused.hint, into: $0) }
    return 1
}
