/// Format version 1 of a ``TrainerSnapshot`` (0.1.0 to 0.1.2), still read; written
/// only on request (``encodeVersion1(_:into:)``).
///
/// Layout, little-endian:
/// ```
/// "CRGI" | u16 version | u8 kind | u8 flags (1 intercept, 2 averaging, 4 has L1 state,
///                                             bits 3-4 BufferMode)
/// u32 featureCount | u32 classCount (softmax; else 0)
/// f64 learning_rate | f64 decay | u32 batch_size | f64 l2 | f64 l1 | f64 buffer_fraction
/// f64 block_mb | f64 max_buffer_mb | i64 seed | u32 n + n bytes validation_table (UTF-8)
/// u64 bufferCapacity | u32 epochsCompleted | u64 buffersThisEpoch
/// current: i64 rows, i64 skipped, f64 lossSum | last epoch: the same
/// f64 l1Total | classCount x f64 class values | outputs*featureCount x f64 weights
/// outputs x f64 intercepts | [outputs*featureCount x f64 L1 applied, if flag 4]
/// [if flag 2: outputs*featureCount x f64 iterate weights | outputs x f64 iterate
///  intercepts | u64 iterates averaged]
/// ```
/// With averaging (flag 2, `average=true`) the weights and intercepts above are the
/// running average (the model), the iterate follows. States written before averaging
/// existed have no flag 2 and decode with `average=false`, as they were trained.
extension TrainerCodec {
    /// The exact number of bytes ``encodeVersion1(_:into:)`` writes for `snapshot`.
    static func encodedSizeVersion1(_ snapshot: TrainerSnapshot) -> Int {
        guard let model = snapshot.model.linearModel else { return 0 }
        let weightCount = model.featureCount * model.outputs
        return 4 + 2 + 1 + 1 + 4 + 4
            + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 8 + 8 + 4 + snapshot.parameters.validationTable.utf8.count
            + 8 + 4 + 8 + 24 + 24 + 8
            + 8 * model.classValues.count + 8 * weightCount + 8 * model.outputs
            + (snapshot.l1Applied != nil ? 8 * weightCount : 0)
            + (snapshot.averaging != nil ? 8 * weightCount + 8 * model.outputs + 8 : 0)
    }

    /// Writes `snapshot` in format version 1 (what 0.1.x reads); nil if `buffer` is
    /// smaller than ``encodedSizeVersion1(_:)`` or the state uses what version 1 cannot
    /// hold (an optimizer other than sgd).
    public static func encodeVersion1(_ snapshot: TrainerSnapshot, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard snapshot.parameters.optimizer == .sgd, snapshot.optimizerState == nil,
            let model = snapshot.model.linearModel, buffer.count >= encodedSizeVersion1(snapshot)
        else { return nil }
        var iterate: LinearModel? = nil
        if let averaging = snapshot.averaging {
            guard let linear = averaging.iterate.linearModel, linear.weights.count == model.weights.count,
                linear.intercepts.count == model.intercepts.count
            else { return nil }
            iterate = linear
        }
        var writer = ByteWriter(buffer: buffer)
        let p = snapshot.parameters
        writer.bytes(magic)
        writer.u16(1)
        writer.u8(model.kind.rawValue)
        let hasL1 = snapshot.l1Applied?.count == model.weights.count
        writer.u8((model.hasIntercept ? 1 : 0) | (snapshot.averaging != nil ? 2 : 0) | (hasL1 ? 4 : 0)
                  | (snapshot.bufferMode.rawValue << 3))
        writer.u32(UInt32(model.featureCount))
        writer.u32(UInt32(model.classValues.count))
        writer.f64(p.learningRate); writer.f64(p.decay); writer.u32(UInt32(p.batchSize))
        writer.f64(p.l2); writer.f64(p.l1); writer.f64(p.bufferFraction)
        writer.f64(p.blockMB); writer.f64(p.maxBufferMB); writer.u64(UInt64(bitPattern: p.seed))
        writer.u32(UInt32(p.validationTable.utf8.count)); writer.bytes(Array(p.validationTable.utf8))
        writer.u64(UInt64(snapshot.bufferCapacity))
        writer.u32(UInt32(snapshot.epochsCompleted))
        writer.u64(UInt64(snapshot.buffersThisEpoch))
        for stats in [snapshot.current, snapshot.lastEpoch] {
            writer.u64(UInt64(bitPattern: stats.rows)); writer.u64(UInt64(bitPattern: stats.skipped))
            writer.f64(stats.lossSum)
        }
        writer.f64(snapshot.l1Total)
        model.classValues.forEach { writer.f64($0) }
        model.weights.forEach { writer.f64($0) }
        model.intercepts.forEach { writer.f64($0) }
        if hasL1, let applied = snapshot.l1Applied { applied.forEach { writer.f64($0) } }
        if let averaging = snapshot.averaging, let iterate {
            iterate.weights.forEach { writer.f64($0) }
            iterate.intercepts.forEach { writer.f64($0) }
            writer.u64(UInt64(bitPattern: averaging.count))
        }
        return writer.offset
    }

    /// Reads the body of a version-1 state (after magic and version).
    static func decodeVersion1(_ reader: inout ByteReader) -> Result<TrainerSnapshot, DecodeFailure> {
        func fail(_ reason: String) -> Result<TrainerSnapshot, DecodeFailure> { .failure(DecodeFailure(reason: reason)) }
        // Version 1 (0.1.x) knew the kinds 1 to 4; svr came later, with version 2 only.
        guard let kindByte = reader.u8(), let kind = ModelKind(rawValue: kindByte), kind != .svr
        else { return fail("unknown model kind") }
        guard let flags = reader.u8(), flags & ~(1 | 2 | 4 | 24) == 0,
            let bufferMode = BufferMode(rawValue: (flags >> 3) & 3)
        else { return fail("unknown flags") }
        guard let featureCount = reader.u32(), let classCount = reader.u32() else { return fail("truncated shape") }
        var p = TrainingParameters()
        guard let lr = reader.f64(), let decay = reader.f64(), let batch = reader.u32(),
            let l2 = reader.f64(), let l1 = reader.f64(), let fraction = reader.f64(),
            let blockMB = reader.f64(), let maxBufferMB = reader.f64(), let seed = reader.u64(),
            let tableLength = reader.u32(), let tableBytes = reader.bytes(Int(tableLength))
        else { return fail("truncated parameters") }
        p.learningRate = lr; p.decay = decay; p.batchSize = Int(batch); p.l2 = l2; p.l1 = l1
        p.bufferFraction = fraction; p.blockMB = blockMB; p.maxBufferMB = maxBufferMB
        p.seed = Int64(bitPattern: seed)
        p.intercept = flags & 1 != 0
        p.average = flags & 2 != 0
        p.validationTable = String(decoding: tableBytes, as: UTF8.self)
        if let invalid = p.validationFailure() { return fail("invalid parameters: \(invalid.message)") }
        guard let capacity = reader.u64(), let epochs = reader.u32(), let buffers = reader.u64(),
            let cRows = reader.u64(), let cSkipped = reader.u64(), let cLoss = reader.f64(),
            let lRows = reader.u64(), let lSkipped = reader.u64(), let lLoss = reader.f64(),
            let l1Total = reader.f64()
        else { return fail("truncated progress") }
        guard featureCount >= 1, featureCount <= LinearModel.maximumFeatures,
            classCount <= UInt32(LinearModel.maximumClasses),
            (kind == .softmax) == (classCount > 0),
            capacity >= 1, capacity <= UInt64(SGDTrainer.maximumBufferRows)
        else { return fail("inconsistent shape") }
        // Progress counters are bounded like everything else, so that no arithmetic on
        // them (a row, a buffer, an epoch more) can overflow.
        guard epochs <= UInt32(TrainerSnapshot.maximumEpochs), buffers <= UInt64(TrainerSnapshot.maximumBuffers),
            cRows <= UInt64(TrainerSnapshot.maximumRows), cSkipped <= UInt64(TrainerSnapshot.maximumRows),
            lRows <= UInt64(TrainerSnapshot.maximumRows), lSkipped <= UInt64(TrainerSnapshot.maximumRows)
        else { return fail("progress counters out of range") }
        let outputs = kind == .softmax ? Int(classCount) : 1
        let weightCount = Int(featureCount) * outputs
        guard weightCount <= LinearModel.maximumWeights else { return fail("inconsistent shape") }
        guard let classValues = reader.f64s(Int(classCount)), let weights = reader.f64s(weightCount),
            let intercepts = reader.f64s(outputs)
        else { return fail("truncated weights") }
        var l1Applied: [Double]? = nil
        if flags & 4 != 0 {
            guard let applied = reader.f64s(weightCount) else { return fail("truncated weights") }
            l1Applied = applied
        }
        var iterateWeights: [Double] = [], iterateIntercepts: [Double] = [], averaged: UInt64 = 0
        if p.average {
            guard let w = reader.f64s(weightCount), let b = reader.f64s(outputs), let count = reader.u64()
            else { return fail("truncated weights") }
            guard count <= UInt64(TrainerSnapshot.maximumRows) else { return fail("progress counters out of range") }
            iterateWeights = w; iterateIntercepts = b; averaged = count
        }
        guard reader.isAtEnd else { return fail("trailing bytes after the model") }
        guard let model = LinearModel(kind: kind, featureCount: Int(featureCount), hasIntercept: p.intercept,
                                      classValues: classValues, weights: weights, intercepts: intercepts)
        else { return fail("inconsistent classes") }
        var averaging: TrainerSnapshot.AveragingState? = nil
        if p.average {
            guard let iterate = LinearModel(kind: kind, featureCount: Int(featureCount), hasIntercept: p.intercept,
                                            classValues: classValues, weights: iterateWeights,
                                            intercepts: iterateIntercepts)
            else { return fail("inconsistent classes") }
            averaging = TrainerSnapshot.AveragingState(iterate: .linear(iterate), count: Int64(bitPattern: averaged))
        }
        return .success(TrainerSnapshot(
            model: .linear(model), parameters: p, bufferCapacity: Int(capacity), bufferMode: bufferMode,
            epochsCompleted: Int(epochs), buffersThisEpoch: Int(buffers),
            current: EpochStatistics(rows: Int64(bitPattern: cRows), skipped: Int64(bitPattern: cSkipped), lossSum: cLoss),
            lastEpoch: EpochStatistics(rows: Int64(bitPattern: lRows), skipped: Int64(bitPattern: lSkipped), lossSum: lLoss),
            l1Total: l1Total, l1Applied: l1Applied, averaging: averaging))
    }
}

