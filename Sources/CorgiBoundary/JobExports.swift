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
