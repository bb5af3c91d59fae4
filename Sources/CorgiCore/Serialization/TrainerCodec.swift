/// The binary format of a ``TrainerSnapshot`` (the `bytea` state and `model` column).
///
/// Format version 2, little-endian: `"CRGI" | u16 2 |` then sections, each
/// `u16 tag | u32 length | payload`, in tag order, each once:
/// ```
/// 1 header      u8 kind | u8 architecture (0 linear, 1 network) | u8 BufferMode | u8 flags
///               (1 intercept, 2 averaging, 4 standardize, 8 standardize given: not a
///               network, 16 class weights: not a network) | u8 optimizer | 3 x u8 0
///               | u32 featureCount | u32 classCount (softmax; else 0)
/// 2 parameters  f64 learning_rate | f64 decay | u32 batch_size | f64 l2 | f64 l1
///               | f64 buffer_fraction | f64 block_mb | f64 max_buffer_mb | i64 seed
///               | f64 momentum | f64 beta1 | f64 beta2 | f64 epsilon
///               | u32 n + n bytes validation_table (UTF-8) | [svr only: f64 svr_epsilon]
///               | [flag 16 only: u32 c + c x f64 class weights]
/// 3 progress    u64 bufferCapacity | u32 epochsCompleted | u64 buffersThisEpoch
///               | current: i64 rows, i64 skipped, f64 lossSum | last epoch: the same
/// 4 model       [network: u8 activation | u32 h + h x u32 hidden widths | featureCount
///               x f64 input shift | featureCount x f64 input scale] | classCount x f64
///               class values | the model's flat parameters (linear: outputs*featureCount
///               weights, then outputs intercepts; network: see MultilayerPerceptron)
/// 5 optimizer   u64 steps | f64 l1Total | u32 n + n x f64 first | u32 m + m x f64 second
///               (sgd: L1 applied per weight or nothing; momentum: velocity; adam: moments)
/// 6 averaging   (flag 2 only) the iterate's flat parameters | u64 iterates averaged
/// ```
/// The size is computed by the encoder itself (``ByteCounter``), so it cannot disagree
/// with what is written. Version 1 (0.1.x) is still read (``decodeVersion1(_:)``).
///
/// Contract: ``decode(_:)`` accepts exactly what the encoders write and rejects anything
/// else (wrong magic or version, unknown, missing, repeated or misordered sections, a
/// section longer or shorter than its content, inconsistent shapes, invalid parameters,
/// counters beyond their limits) with a ``DecodeFailure``; it never traps on any input.
public enum TrainerCodec {
    public static let formatVersion: UInt16 = 2
    static let magic: [UInt8] = [0x43, 0x52, 0x47, 0x49]  // "CRGI"

    public struct DecodeFailure: Error, Equatable, Sendable {
        public let reason: String
    }

    enum Section: UInt16 {
        case header = 1, parameters, progress, model, optimizer, averaging
    }

    /// The exact number of bytes ``encode(_:into:)`` writes for `snapshot`.
    public static func encodedSize(_ snapshot: TrainerSnapshot) -> Int {
        var counter: any ByteSink = ByteCounter()
        write(snapshot, to: &counter)
        return counter.offset
    }

    /// Writes `snapshot` (format version 2) into `buffer`; returns the bytes written, or
    /// nil if `buffer` is smaller than ``encodedSize(_:)``.
    public static func encode(_ snapshot: TrainerSnapshot, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard buffer.count >= encodedSize(snapshot) else { return nil }
        var writer: any ByteSink = ByteWriter(buffer: buffer)
        write(snapshot, to: &writer)
        return writer.offset
    }

    private static func write(_ snapshot: TrainerSnapshot, to sink: inout any ByteSink) {
        let model = snapshot.model, p = snapshot.parameters
        sink.bytes(magic)
        sink.u16(formatVersion)
        let network = model.network
        section(.header, to: &sink) { s in
            s.u8(model.kind.rawValue); s.u8(network == nil ? 0 : 1); s.u8(snapshot.bufferMode.rawValue)
            // 4: standardize (a network's; another model's when given, with 8: it was given,
            // for a list of feature columns, which the list's centers and scales carry out).
            let given = network == nil && p.standardizeGiven
            s.u8((model.hasIntercept ? 1 : 0) | (snapshot.averaging != nil ? 2 : 0)
                 | (p.standardize && (network != nil || given) ? 4 : 0) | (given ? 8 : 0)
                 | (network == nil && p.classWeights != nil ? 16 : 0))
            s.u8(p.optimizer.rawValue); s.u8(0); s.u8(0); s.u8(0)
            s.u32(UInt32(truncatingIfNeeded: model.featureCount)); s.u32(UInt32(truncatingIfNeeded: model.classValues.count))
        }
        section(.parameters, to: &sink) { s in
            s.f64(p.learningRate); s.f64(p.decay); s.u32(UInt32(truncatingIfNeeded: p.batchSize))
            s.f64(p.l2); s.f64(p.l1); s.f64(p.bufferFraction); s.f64(p.blockMB); s.f64(p.maxBufferMB)
            s.u64(UInt64(bitPattern: p.seed))
            s.f64(p.momentum); s.f64(p.beta1); s.f64(p.beta2); s.f64(p.epsilon)
            let table = Array(p.validationTable.utf8)
            s.u32(UInt32(truncatingIfNeeded: table.count)); s.bytes(table)
            if model.kind == .svr { s.f64(p.svrEpsilon) }
            if network == nil, let weights = p.classWeights {
                s.u32(UInt32(truncatingIfNeeded: weights.count)); s.f64s(weights)
            }
        }
        section(.progress, to: &sink) { s in
            s.u64(UInt64(snapshot.bufferCapacity)); s.u32(UInt32(truncatingIfNeeded: snapshot.epochsCompleted))
            s.u64(UInt64(snapshot.buffersThisEpoch))
            for stats in [snapshot.current, snapshot.lastEpoch] {
                s.u64(UInt64(bitPattern: stats.rows)); s.u64(UInt64(bitPattern: stats.skipped)); s.f64(stats.lossSum)
            }
        }
        section(.model, to: &sink) { s in
            if let network {
                s.u8(network.activation.rawValue)
                s.u32(UInt32(truncatingIfNeeded: network.hidden.count))
                for width in network.hidden { s.u32(UInt32(truncatingIfNeeded: width)) }
                s.f64s(network.inputShift)
                s.f64s(network.inputScale)
            }
            s.f64s(model.classValues)
            s.f64s(model.flatParameters)
        }
        section(.optimizer, to: &sink) { s in
            let state = snapshot.optimizerState
                ?? OptimizerState(steps: 0, l1Total: snapshot.l1Total, first: snapshot.l1Applied ?? [], second: [])
            s.u64(UInt64(bitPattern: state.steps)); s.f64(state.l1Total)
            s.u32(UInt32(truncatingIfNeeded: state.first.count)); s.f64s(state.first)
            s.u32(UInt32(truncatingIfNeeded: state.second.count)); s.f64s(state.second)
        }
        if let averaging = snapshot.averaging {
            section(.averaging, to: &sink) { s in
                s.f64s(averaging.iterate.flatParameters)
                s.u64(UInt64(bitPattern: averaging.count))
            }
        }
    }

    /// Writes one section: its tag, its length (counted by running the same payload
    /// closure on a ``ByteCounter``), its payload.
    private static func section(_ tag: Section, to sink: inout any ByteSink, _ payload: (inout any ByteSink) -> Void) {
        var counter: any ByteSink = ByteCounter()
        payload(&counter)
        sink.u16(tag.rawValue)
        sink.u32(UInt32(truncatingIfNeeded: counter.offset))
        payload(&sink)
    }

    /// Reads a snapshot written by ``encode(_:into:)`` (version 2) or by corgi 0.1.x
    /// (version 1).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<TrainerSnapshot, DecodeFailure> {
        var reader = ByteReader(bytes: bytes)
        func fail(_ reason: String) -> Result<TrainerSnapshot, DecodeFailure> { .failure(DecodeFailure(reason: reason)) }
        guard let m = reader.bytes(4), m == magic else { return fail("not a corgi model (bad magic)") }
        guard let version = reader.u16() else { return fail("truncated header") }
        switch version {
        case 1: return decodeVersion1(&reader)
        case 2: return decodeVersion2(&reader)
        default:
            return fail("model format version \(version) is not supported (this corgi reads versions 1 and \(formatVersion))")
        }
    }
}

extension TrainerCodec {
    /// Reads the sections of a version-2 state (after magic and version).
    static func decodeVersion2(_ reader: inout ByteReader) -> Result<TrainerSnapshot, DecodeFailure> {
        func fail(_ reason: String) -> Result<TrainerSnapshot, DecodeFailure> { .failure(DecodeFailure(reason: reason)) }
        // The sections, each at most once and in tag order (locals, not a dictionary: a
        // grouped pass decodes a state per group per epoch).
        var header: ByteReader?, params: ByteReader?, progress: ByteReader?
        var modelSection: ByteReader?, optimizerSection: ByteReader?, averagingSection: ByteReader?
        var previous: UInt16 = 0
        while !reader.isAtEnd {
            guard let tag = reader.u16(), let length = reader.u32() else { return fail("truncated section header") }
            guard let known = Section(rawValue: tag) else { return fail("unknown section \(tag)") }
            guard tag > previous else { return fail("section \(tag) is repeated or out of order") }
            previous = tag
            guard let body = reader.slice(Int(length)) else { return fail("truncated section \(tag)") }
            switch known {
            case .header: header = body
            case .parameters: params = body
            case .progress: progress = body
            case .model: modelSection = body
            case .optimizer: optimizerSection = body
            case .averaging: averagingSection = body
            }
        }
        guard var header, var params, var progress, var modelSection, var optimizerSection
        else { return fail("a required section is missing") }

        // 1 header
        guard let kindByte = header.u8(), let architecture = header.u8(), let modeByte = header.u8(),
            let flags = header.u8(), let optimizerByte = header.u8(), let r1 = header.u8(), let r2 = header.u8(),
            let r3 = header.u8(), let featureCount = header.u32(), let classCount = header.u32(), header.isAtEnd
        else { return fail("malformed header section") }
        guard let kind = ModelKind(rawValue: kindByte) else { return fail("unknown model kind") }
        guard architecture <= 1 else { return fail("unknown model architecture \(architecture)") }
        let isNetwork = architecture == 1
        guard let bufferMode = BufferMode(rawValue: modeByte), flags & ~(isNetwork ? 7 : 31) == 0, isNetwork || flags & 4 == 0 || flags & 8 != 0, r1 | r2 | r3 == 0 else {
            return fail("unknown flags")
        }
        guard let optimizer = OptimizerKind(rawValue: optimizerByte) else { return fail("unknown optimizer") }
        guard featureCount >= 1, featureCount <= LinearModel.maximumFeatures,
            classCount <= UInt32(LinearModel.maximumClasses), (kind == .softmax) == (classCount > 0)
        else { return fail("inconsistent shape") }

        // 2 parameters
        var p = TrainingParameters()
        guard let lr = params.f64(), let decay = params.f64(), let batch = params.u32(), let l2 = params.f64(),
            let l1 = params.f64(), let fraction = params.f64(), let blockMB = params.f64(),
            let maxBufferMB = params.f64(), let seed = params.u64(), let momentum = params.f64(),
            let beta1 = params.f64(), let beta2 = params.f64(), let epsilon = params.f64(),
            let tableLength = params.u32(), let tableBytes = params.bytes(Int(tableLength))
        else { return fail("malformed parameters section") }
        if kind == .svr {
            guard let svrEpsilon = params.f64() else { return fail("malformed parameters section") }
            p.svrEpsilon = svrEpsilon
            p.isSVR = true
        }
        if flags & 16 != 0 {
            guard let count = params.u32(), count >= 2, count <= UInt32(TrainingParameters.maximumClassWeights),
                let weights = params.f64s(Int(count))
            else { return fail("malformed parameters section") }
            p.classWeights = weights
        }
        guard params.isAtEnd else { return fail("malformed parameters section") }
        p.learningRate = lr; p.decay = decay; p.batchSize = Int(batch); p.l2 = l2; p.l1 = l1
        p.bufferFraction = fraction; p.blockMB = blockMB; p.maxBufferMB = maxBufferMB
        p.seed = Int64(bitPattern: seed)
        p.momentum = momentum; p.beta1 = beta1; p.beta2 = beta2; p.epsilon = epsilon
        p.intercept = flags & 1 != 0
        p.average = flags & 2 != 0
        p.optimizer = optimizer
        p.isNetwork = isNetwork
        p.standardize = flags & 4 != 0
        p.standardizeGiven = !isNetwork && flags & 8 != 0
        p.validationTable = String(decoding: tableBytes, as: UTF8.self)
        if let invalid = p.validationFailure() { return fail("invalid parameters: \(invalid.message)") }

        // 3 progress
        guard let capacity = progress.u64(), let epochs = progress.u32(), let buffers = progress.u64(),
            let cRows = progress.u64(), let cSkipped = progress.u64(), let cLoss = progress.f64(),
            let lRows = progress.u64(), let lSkipped = progress.u64(), let lLoss = progress.f64(), progress.isAtEnd
        else { return fail("malformed progress section") }
        guard capacity >= 1, capacity <= UInt64(SGDTrainer.maximumBufferRows) else { return fail("inconsistent shape") }
        guard epochs <= UInt32(TrainerSnapshot.maximumEpochs), buffers <= UInt64(TrainerSnapshot.maximumBuffers),
            cRows <= UInt64(TrainerSnapshot.maximumRows), cSkipped <= UInt64(TrainerSnapshot.maximumRows),
            lRows <= UInt64(TrainerSnapshot.maximumRows), lSkipped <= UInt64(TrainerSnapshot.maximumRows)
        else { return fail("progress counters out of range") }

        // 4 model
        let outputs = kind == .softmax ? Int(classCount) : 1
        let weightCount = Int(featureCount) * outputs
        guard weightCount <= LinearModel.maximumWeights else { return fail("inconsistent shape") }
        let model: TrainedModel, penalizedCount: Int
        if isNetwork {
            guard let activationByte = modelSection.u8(),
                let activation = MultilayerPerceptron.Activation(rawValue: activationByte),
                let hiddenCount = modelSection.u32(), hiddenCount >= 1,
                hiddenCount <= UInt32(MultilayerPerceptron.maximumLayers)
            else { return fail("malformed model section") }
            var hidden: [Int] = []
            for _ in 0..<Int(hiddenCount) {
                guard let width = modelSection.u32(), width >= 1, width <= UInt32(MultilayerPerceptron.maximumWidth)
                else { return fail("malformed model section") }
                hidden.append(Int(width))
            }
            // The parameter count from the claimed shape, checked against the bytes there
            // before anything of that shape is allocated (a few crafted bytes may claim a
            // network of a billion parameters).
            guard let shift = modelSection.f64s(Int(featureCount)), let scale = modelSection.f64s(Int(featureCount)),
                let classValues = modelSection.f64s(Int(classCount)),
                let count = MultilayerPerceptron.parameterCount(
                    widths: [Int(featureCount)] + hidden + [kind == .softmax ? classValues.count : 1]),
                let flat = modelSection.f64s(count), modelSection.isAtEnd,
                let network = MultilayerPerceptron(kind: kind, featureCount: Int(featureCount), hidden: hidden,
                                                   activation: activation, classValues: classValues, inputShift: shift,
                                                   inputScale: scale, parameters: flat)
            else { return fail("malformed model section") }
            p.hiddenLayers = hidden
            p.activation = activation
            model = .network(network)
            penalizedCount = network.penalizedCount
        } else {
            guard let classValues = modelSection.f64s(Int(classCount)),
                let flat = modelSection.f64s(weightCount + outputs), modelSection.isAtEnd
            else { return fail("malformed model section") }
            guard let linear = LinearModel(kind: kind, featureCount: Int(featureCount), hasIntercept: p.intercept,
                                           classValues: classValues, weights: Array(flat[0..<weightCount]),
                                           intercepts: Array(flat[weightCount...]), lossMargin: p.svrEpsilon)
            else { return fail("inconsistent classes") }
            model = .linear(linear)
            penalizedCount = weightCount
        }
        let parameterCount = model.parameterCount

        // 5 optimizer
        guard let steps = optimizerSection.u64(), let l1Total = optimizerSection.f64(),
            let firstCount = optimizerSection.u32(), let first = optimizerSection.f64s(Int(firstCount)),
            let secondCount = optimizerSection.u32(), let second = optimizerSection.f64s(Int(secondCount)),
            optimizerSection.isAtEnd
        else { return fail("malformed optimizer section") }
        guard steps <= UInt64(OptimizerState.maximumSteps), l1Total.isFinite, l1Total >= 0 else {
            return fail("optimizer counters out of range")
        }
        let shapeMatches: Bool
        switch optimizer {
        case .sgd: shapeMatches = steps == 0 && second.isEmpty && (first.isEmpty || first.count == penalizedCount)
        case .momentum: shapeMatches = second.isEmpty && (first.isEmpty || first.count == parameterCount)
        case .adam: shapeMatches = first.count == second.count && (first.isEmpty || first.count == parameterCount)
        }
        guard shapeMatches else { return fail("the optimizer state does not fit the model") }

        // 6 averaging
        var averaging: TrainerSnapshot.AveragingState? = nil
        if p.average {
            guard var section = averagingSection, let iterateFlat = section.f64s(parameterCount),
                let count = section.u64(), section.isAtEnd
            else { return fail("malformed averaging section") }
            guard count <= UInt64(TrainerSnapshot.maximumRows) else { return fail("progress counters out of range") }
            guard let iterate = model.replacingParameters(iterateFlat) else { return fail("malformed averaging section") }
            averaging = TrainerSnapshot.AveragingState(iterate: iterate, count: Int64(count))
        } else if averagingSection != nil {
            return fail("an averaging section without averaging")
        }

        let state = OptimizerState(steps: Int64(steps), l1Total: l1Total, first: first, second: second)
        return .success(TrainerSnapshot(
            model: model, parameters: p, bufferCapacity: Int(capacity), bufferMode: bufferMode,
            epochsCompleted: Int(epochs), buffersThisEpoch: Int(buffers),
            current: EpochStatistics(rows: Int64(cRows), skipped: Int64(cSkipped), lossSum: cLoss),
            lastEpoch: EpochStatistics(rows: Int64(lRows), skipped: Int64(lSkipped), lossSum: lLoss),
            l1Total: optimizer == .sgd ? l1Total : 0,
            l1Applied: optimizer == .sgd && !first.isEmpty ? first : nil,
            averaging: averaging, optimizerState: optimizer == .sgd ? nil : state))
    }
}
