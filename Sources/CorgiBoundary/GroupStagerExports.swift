import CorgiABI
import CorgiCore

/// The glue's handle on a ``GroupRowStager``: its worker is stopped and joined when C
/// lets go, before the trainers it trains are let go.
final class GroupStagerBox: ReleasedByGlue {
    let stager: GroupRowStager
    init(_ stager: GroupRowStager) { self.stager = stager }
    func glueWillRelease() { stager.shutdown() }
}

/// C: `void *corgi_group_stager_open(void *const *trainers, int32_t count, void *shared_worker)`:
/// the row path of a grouped pass over trainers opened with corgi_trainer_open_synchronous
/// (group g is trainers[g]), trained on `shared_worker` (from corgi_shared_worker_create;
/// NULL: inline); one retain for the glue, which lets go of it before the trainers. NULL
/// when the trainers cannot be staged (a streaming buffer) or memory cannot be had: the
/// glue then feeds each trainer itself.
@_cdecl("corgi_group_stager_open")
public func corgi_group_stager_open(
    _ trainers: UnsafePointer<UnsafeMutableRawPointer?>?, _ count: Int32, _ sharedWorker: UnsafeMutableRawPointer?
) -> UnsafeMutableRawPointer? {
    guard let trainers, count > 0 else { return nil }
    var list: [SGDTrainer] = []
    list.reserveCapacity(Int(count))
    for g in 0..<Int(count) {
        guard let box = borrow(trainers[g], as: TrainerBox.self) else { return nil }
        list.append(box.trainer)
    }
    let worker = borrow(sharedWorker, as: SharedWorkerBox.self)?.shared
    guard let stager = GroupRowStager(trainers: list, worker: worker) else { return nil }
    return retainedPointer(to: GroupStagerBox(stager))
}

/// C: `int32_t corgi_group_stager_add(void *stager, int32_t group, const double *features,
/// int32_t count, double label, const CorgiRowTag *row, int32_t *chunk_full, CorgiError *error)`:
/// checks and stages one row; sets `*chunk_full` when the caller must drain
/// corgi_group_stager_advance; a refused row is reported as corgi_trainer_add reports it.
/// Called once per row: borrows without a dynamic cast (the glue passes only what
/// corgi_group_stager_open made).
@_cdecl("corgi_group_stager_add")
public func corgi_group_stager_add(
    _ stager: UnsafeMutableRawPointer?, _ group: Int32, _ features: UnsafePointer<Double>?, _ count: Int32,
    _ label: Double, _ row: UnsafePointer<CorgiRowTag>?, _ chunkFull: UnsafeMutablePointer<Int32>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let stager, let chunkFull, count >= 0, features != nil || count == 0 else {
        return report(CORGI_INTERNAL, "corgi_group_stager_add: invalid argument", into: error)
    }
    let outcome = Unmanaged<GroupStagerBox>.fromOpaque(stager)._withUnsafeGuaranteedRef {
        $0.stager.add(group: Int(group), features: UnsafeBufferPointer(start: features, count: Int(count)), label: label)
    }
    switch outcome {
    case .success(let full):
        chunkFull.pointee = full ? 1 : 0
        return reportSuccess(into: error)
    case .failure(let failure):
        chunkFull.pointee = 0
        guard let box = borrow(stager, as: GroupStagerBox.self) else {
            return report(CORGI_INTERNAL, "corgi_group_stager_add: invalid stager", into: error)
        }
        return reportRefusedRow(failure, kind: box.stager.kind, row: row, into: error)
    }
}

/// C: `void corgi_group_stager_skip(void *stager, int32_t group)`: counts a row of the
/// group with a NULL label or NULL features.
@_cdecl("corgi_group_stager_skip")
public func corgi_group_stager_skip(_ stager: UnsafeMutableRawPointer?, _ group: Int32) {
    guard let stager else { return }
    Unmanaged<GroupStagerBox>.fromOpaque(stager)._withUnsafeGuaranteedRef { $0.stager.skip(group: Int(group)) }
}

/// C: `void corgi_group_stager_finish_pass(void *stager)`: after the last row; drain
/// corgi_group_stager_advance afterwards, then the trainers' passes have ended.
@_cdecl("corgi_group_stager_finish_pass")
public func corgi_group_stager_finish_pass(_ stager: UnsafeMutableRawPointer?) {
    borrow(stager, as: GroupStagerBox.self)?.stager.finishPass()
}

/// C: `int32_t corgi_group_stager_advance(void *stager)`: a bounded amount of the pending
/// work (at most ~50 ms); 1 while work remains, so C can check for interrupts between
/// calls; -1 when done but a row could not be placed (an internal error: C raises it).
@_cdecl("corgi_group_stager_advance")
public func corgi_group_stager_advance(_ stager: UnsafeMutableRawPointer?) -> Int32 {
    guard let s = borrow(stager, as: GroupStagerBox.self)?.stager else { return 0 }
    if s.advance() { return 1 }
    return s.lostRows == 0 ? 0 : -1
}
