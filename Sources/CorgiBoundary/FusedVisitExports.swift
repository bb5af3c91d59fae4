import CorgiABI
import CorgiCore

/// The states behind C's arrays of `count` pointers and lengths, or nil with the error
/// reported (a state that does not decode, or a count out of range).
private func decodeStates(
    _ datas: UnsafePointer<UnsafeRawPointer?>?, _ lengths: UnsafePointer<Int64>?, _ count: Int32,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> [TrainerSnapshot]? {
    guard let datas, let lengths, count >= 1, Int(count) <= ModelHopSchedule.maximumModels else {
        report(CORGI_INTERNAL, "a fused visit needs 1 to \(ModelHopSchedule.maximumModels) states, got \(count)",
               into: error)
        return nil
    }
    var snapshots: [TrainerSnapshot] = []
    snapshots.reserveCapacity(Int(count))
    for m in 0..<Int(count) {
        guard let snapshot = decodeState(datas[m], lengths[m], error) else { return nil }
        snapshots.append(snapshot)
    }
    return snapshots
}

/// C: `int32_t corgi_trainer_open_fused(void *previous, const void *const *datas,
/// const int64_t *lengths, int32_t count, void **trainer_out, CorgiError *error)`: one
/// trainer for a fused visit of `count` states (``SGDTrainer/make(fusing:concurrent:reusing:)``):
/// the rows go in through corgi_trainer_add as for one model; each model's state comes
/// out through corgi_trainer_serialize_member. `previous` as for corgi_trainer_open.
@_cdecl("corgi_trainer_open_fused")
public func corgi_trainer_open_fused(
    _ previous: UnsafeMutableRawPointer?, _ datas: UnsafePointer<UnsafeRawPointer?>?, _ lengths: UnsafePointer<Int64>?,
    _ count: Int32, _ trainerOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let trainerOut else { return report(CORGI_INTERNAL, "corgi_trainer_open_fused: null argument", into: error) }
    trainerOut.pointee = nil
    guard let snapshots = decodeStates(datas, lengths, count, error) else { return reportedStatus(error) }
    let old = borrow(previous, as: TrainerBox.self)?.trainer
    return handOut(SGDTrainer.make(fusing: snapshots, concurrent: true, reusing: old), to: trainerOut, error: error)
}

/// C: `int32_t corgi_trainer_serialize_member(void *trainer, int32_t member, void **blob_out,
/// CorgiError *error)`: member `member`'s state (0: the lead) after a drained pass, as a ByteBlob.
@_cdecl("corgi_trainer_serialize_member")
public func corgi_trainer_serialize_member(
    _ trainer: UnsafeMutableRawPointer?, _ member: Int32, _ blobOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let box = borrow(trainer, as: TrainerBox.self), let blobOut else {
        return report(CORGI_INTERNAL, "corgi_trainer_serialize_member: invalid argument", into: error)
    }
    blobOut.pointee = nil
    guard let snapshot = box.trainer.snapshot(member: Int(member)) else {
        return report(CORGI_INTERNAL, "corgi_trainer_serialize_member: no member \(member), or rows are still buffered",
                      into: error)
    }
    blobOut.pointee = retainedPointer(to: encode(snapshot))
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_visit_offsets(const void *const *datas, const int64_t *lengths, int32_t count,
/// int32_t segments, int32_t *offsets_out, CorgiError *error)`: the segment offsets of
/// `count` configs (``FusedVisitPlan/offsets(classes:segments:)``).
@_cdecl("corgi_visit_offsets")
public func corgi_visit_offsets(
    _ datas: UnsafePointer<UnsafeRawPointer?>?, _ lengths: UnsafePointer<Int64>?, _ count: Int32, _ segments: Int32,
    _ offsetsOut: UnsafeMutablePointer<Int32>?, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let offsetsOut else { return report(CORGI_INTERNAL, "corgi_visit_offsets: null argument", into: error) }
    guard let snapshots = decodeStates(datas, lengths, count, error) else { return reportedStatus(error) }
    guard let offsets = FusedVisitPlan.offsets(classes: FusedVisitPlan.fusionClasses(snapshots), segments: Int(segments))
    else { return report(CORGI_INVALID_ARGUMENT, "segments must be at least 1, got \(segments)", into: error) }
    for (m, offset) in offsets.enumerated() { offsetsOut[m] = Int32(offset) }
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_visit_units(const void *const *datas, const int64_t *lengths,
/// const int32_t *offsets, int32_t count, int32_t configs_per_visit, int32_t *units_out,
/// CorgiError *error)`: each model's visit unit (``FusedVisitPlan/units(classes:offsets:configsPerVisit:)``),
/// numbered from 0.
@_cdecl("corgi_visit_units")
public func corgi_visit_units(
    _ datas: UnsafePointer<UnsafeRawPointer?>?, _ lengths: UnsafePointer<Int64>?, _ offsets: UnsafePointer<Int32>?,
    _ count: Int32, _ configsPerVisit: Int32, _ unitsOut: UnsafeMutablePointer<Int32>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let offsets, let unitsOut else { return report(CORGI_INTERNAL, "corgi_visit_units: null argument", into: error) }
    guard configsPerVisit >= 1, configsPerVisit <= 1000 else {
        return report(CORGI_INVALID_ARGUMENT, "configs_per_visit must be between 1 and 1000, got \(configsPerVisit)",
                      hint: "1 reads a segment once per config and visit; more share each read.", into: error)
    }
    guard let snapshots = decodeStates(datas, lengths, count, error) else { return reportedStatus(error) }
    let modelOffsets = (0..<Int(count)).map { Int(offsets[$0]) }
    guard let units = FusedVisitPlan.units(classes: FusedVisitPlan.fusionClasses(snapshots), offsets: modelOffsets,
                                           configsPerVisit: Int(configsPerVisit))
    else { return report(CORGI_INTERNAL, "corgi_visit_units: shapes differ", into: error) }
    for (m, unit) in units.enumerated() { unitsOut[m] = Int32(unit) }
    return reportSuccess(into: error)
}
