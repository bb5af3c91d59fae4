import CorgiABI
import CorgiCore

/// A training state or model passed in as bytes (a detoasted bytea).
func bytes(_ data: UnsafeRawPointer?, _ length: Int64) -> UnsafeRawBufferPointer {
    guard let data, length > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: data, count: Int(length))
}

/// Decodes a state, reporting a clear error for bytes that are not one.
func decodeState(_ data: UnsafeRawPointer?, _ length: Int64,
                         _ error: UnsafeMutablePointer<CorgiError>?) -> TrainerSnapshot? {
    switch TrainerCodec.decode(bytes(data, length)) {
    case .success(let snapshot): return snapshot
    case .failure(let failure):
        report(CORGI_DATA_EXCEPTION, "invalid corgi state: \(failure.reason)",
               hint: "Pass a state made by corgi.sgd_state, corgi.sgd or corgi.train.", into: error)
        return nil
    }
}

func encode(_ snapshot: TrainerSnapshot) -> ByteBlob {
    var out = [UInt8](repeating: 0, count: TrainerCodec.encodedSize(snapshot))
    _ = out.withUnsafeMutableBytes { TrainerCodec.encode(snapshot, into: $0) }
    return ByteBlob(bytes: out)
}

/// C: `int32_t corgi_params_normalize(const char *text, const char *model, char *out, int32_t out_size, CorgiError *error)`.
/// Writes every parameter with its effective value (NUL-terminated) into `out`; `model`
/// (may be NULL) selects the family's defaults.
@_cdecl("corgi_params_normalize")
public func corgi_params_normalize(
    _ text: UnsafePointer<CChar>?, _ model: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<CChar>?, _ outSize: Int32,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let text, let out, outSize > 0 else { return report(CORGI_INTERNAL, "corgi_params_normalize: null argument", into: error) }
    var family = ModelFamily.logistic
    if let model {
        let name = String(cString: model)
        guard let named = ModelFamily(name: name) else {
            return report(CORGI_INVALID_ARGUMENT, "unknown model \"\(name)\"",
                          hint: "Valid models: \(ModelFamily.validNames).", into: error)
        }
        family = named
    }
    switch TrainingParameters.parse(String(cString: text), family: family) {
    case .failure(let f):
        return report(CORGI_INVALID_ARGUMENT, f.message, hint: f.hint, into: error)
    case .success(let p):
        return writeString(p.normalized, to: out, size: outSize, into: error)
    }
}

/// C: `double corgi_double_buffer_megabytes(int64_t rows, int64_t feature_count)`: what a
/// trainer of that shape may allocate (``SGDTrainer/doubleBufferMegabytes(rows:featureCount:)``).
@_cdecl("corgi_double_buffer_megabytes")
public func corgi_double_buffer_megabytes(_ rows: Int64, _ featureCount: Int64) -> Double {
    SGDTrainer.doubleBufferMegabytes(rows: rows, featureCount: featureCount)
}

/// C: `int32_t corgi_state_create(const char *model, int32_t feature_count, const double *classes,
/// int32_t class_count, const char *params, int64_t buffer_rows, const char *buffer_mode,
/// double cap_mb, void **blob_out, CorgiError *error)`. A fresh state with zero weights.
/// Its memory (buffers, learner, serialized copies) is checked against the lower of
/// `max_buffer_mb` and `cap_mb` (the server's `corgi.max_buffer_mb`) from the shape,
/// before the model is allocated.
@_cdecl("corgi_state_create")
public func corgi_state_create(
    _ model: UnsafePointer<CChar>?, _ featureCount: Int32, _ classes: UnsafePointer<Double>?,
    _ classCount: Int32, _ params: UnsafePointer<CChar>?, _ bufferRows: Int64, _ bufferMode: UnsafePointer<CChar>?,
    _ capMB: Double,
    _ blobOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let model, let params, let bufferMode, let blobOut else { return report(CORGI_INTERNAL, "corgi_state_create: null argument", into: error) }
    blobOut.pointee = nil
    let name = String(cString: model)
    guard let family = ModelFamily(name: name) else {
        return report(CORGI_INVALID_ARGUMENT, "unknown model \"\(name)\"",
                      hint: "Valid models: \(ModelFamily.validNames).", into: error)
    }
    let modeName = String(cString: bufferMode)
    guard let mode = BufferMode(name: modeName) else {
        return report(CORGI_INVALID_ARGUMENT, "unknown buffer \"\(modeName)\"",
                      hint: "Valid buffers: \(BufferMode.allCases.map(\.name).joined(separator: ", ")).", into: error)
    }
    let parameters: TrainingParameters
    switch TrainingParameters.parse(String(cString: params), family: family) {
    case .success(let p): parameters = p
    case .failure(let f): return report(CORGI_INVALID_ARGUMENT, f.message, hint: f.hint, into: error)
    }
    guard featureCount >= 1, Int(featureCount) <= LinearModel.maximumFeatures else {
        return report(CORGI_INVALID_ARGUMENT, "n_features must be between 1 and \(LinearModel.maximumFeatures), got \(featureCount)", into: error)
    }
    var classValues: [Double] = []
    if family.objective == .softmax {
        guard let classes, classCount >= 2, Int(classCount) <= LinearModel.maximumClasses else {
            return report(CORGI_INVALID_ARGUMENT,
                          "\(name) needs between 2 and \(LinearModel.maximumClasses) classes, got \(max(0, classCount))",
                          hint: "Pass the distinct label values as classes.", into: error)
        }
        classValues = (0..<Int(classCount)).map { classes[$0] }.sorted()
        guard classValues.allSatisfy(\.isFinite), Set(classValues).count == classValues.count else {
            return report(CORGI_INVALID_ARGUMENT, "\(name) classes must be distinct finite numbers", into: error)
        }
    } else if classCount > 0 {
        return report(CORGI_INVALID_ARGUMENT, "classes are only used by softmax and mlp, not \(name)", into: error)
    }
    guard bufferRows >= 1, bufferRows <= Int64(SGDTrainer.maximumBufferRows) else {
        return report(CORGI_INVALID_ARGUMENT, "buffer_rows must be between 1 and \(SGDTrainer.maximumBufferRows), got \(bufferRows)", into: error)
    }
    // Two buffers: the worker thread trains one while the scan fills the other.
    let bufferMB = SGDTrainer.doubleBufferMegabytes(rows: bufferRows, featureCount: Int64(featureCount))
    guard bufferMB <= parameters.maxBufferMB else {
        let neededMB = (bufferMB * 1000).rounded(.up) / 1000
        let fitting = Int64(parameters.maxBufferMB * 1_048_576 / Double(2 * SGDTrainer.bufferBytesPerRow(featureCount: Int(featureCount))))
        return report(CORGI_PROGRAM_LIMIT,
                      "a tuple buffer of \(bufferRows) rows x \(featureCount) features needs \(neededMB) MB (two buffers), more than max_buffer_mb=\(parameters.maxBufferMB)",
                      hint: "Raise max_buffer_mb to at least \(neededMB), or lower buffer_fraction so the buffer holds at most \(fitting) rows.",
                      into: error)
    }
    guard let learner = TrainerSnapshot.plannedLearner(
        family: family, featureCount: Int(featureCount), classCount: classValues.count, parameters: parameters)
    else { return report(CORGI_INVALID_ARGUMENT, "a \(name) model with \(featureCount) features is too large", into: error) }
    let totalMB = bufferMB + learner.megabytes
    guard totalMB <= parameters.maxBufferMB, totalMB <= capMB else {
        let neededMB = (totalMB * 1000).rounded(.up) / 1000
        let serverCap = capMB < parameters.maxBufferMB
        return report(CORGI_PROGRAM_LIMIT,
                      "a \(name) model of \(learner.parameterCount) parameters with batch_size \(parameters.batchSize) and its tuple buffers need \(neededMB) MB, more than "
                        + (serverCap ? "corgi.max_buffer_mb=\(Int(capMB))" : "max_buffer_mb=\(parameters.maxBufferMB)"),
                      hint: neededMB > 1_048_576 ? "Lower batch_size or hidden_layers."
                          : serverCap ? "Lower batch_size or hidden_layers, or ask a superuser to raise corgi.max_buffer_mb to at least \(neededMB)."
                          : "Lower batch_size or hidden_layers, or raise max_buffer_mb to at least \(neededMB).", into: error)
    }
    guard let snapshot = TrainerSnapshot.initial(
        family: family, featureCount: Int(featureCount), classValues: classValues, parameters: parameters,
        bufferCapacity: Int(bufferRows), bufferMode: mode)
    else { return report(CORGI_INVALID_ARGUMENT, "a \(name) model with \(featureCount) features is too large", into: error) }
    blobOut.pointee = retainedPointer(to: encode(snapshot))
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_state_describe(const void *data, int64_t length, CorgiStateInfo *info, CorgiError *error)`.
@_cdecl("corgi_state_describe")
public func corgi_state_describe(
    _ data: UnsafeRawPointer?, _ length: Int64, _ info: UnsafeMutablePointer<CorgiStateInfo>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let info else { return report(CORGI_INTERNAL, "corgi_state_describe: null argument", into: error) }
    guard let s = decodeState(data, length, error) else { return reportedStatus(error) }
    let m = s.model, p = s.parameters
    let blank = CorgiStateInfo()
    var described = CorgiStateInfo(
        kind: Int32(m.kind.rawValue), feature_count: Int32(m.featureCount), class_count: Int32(m.classValues.count),
        has_intercept: m.hasIntercept ? 1 : 0, buffer_mode: Int32(s.bufferMode.rawValue),
        epochs_completed: Int32(clamping: s.epochsCompleted), batch_size: Int32(clamping: p.batchSize),
        buffer_capacity: Int64(s.bufferCapacity), current_rows: s.current.rows, current_skipped: s.current.skipped,
        current_mean_loss: s.current.meanLoss, last_rows: s.lastEpoch.rows, last_skipped: s.lastEpoch.skipped,
        last_mean_loss: s.lastEpoch.meanLoss,
        learning_rate: s.learningRate,
        block_mb: p.blockMB, buffer_fraction: p.bufferFraction, max_buffer_mb: p.maxBufferMB, seed: p.seed,
        block_order_seed: s.blockOrderSeed, model_name: blank.model_name, buffer_name: blank.buffer_name,
        is_network: m.network == nil ? 0 : 1, learner_mb: s.learnerMegabytes,
        traits: cTraits(m.kind.traits(classCount: m.classValues.count)))
    withUnsafeMutableBytes(of: &described.model_name) { copyCString(s.family.name, into: $0) }
    withUnsafeMutableBytes(of: &described.buffer_name) { copyCString(s.bufferMode.name, into: $0) }
    info.pointee = described
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_state_parameters(const void *data, int64_t length, char *out, int32_t out_size, CorgiError *error)`:
/// the state's normalized parameter string.
@_cdecl("corgi_state_parameters")
public func corgi_state_parameters(
    _ data: UnsafeRawPointer?, _ length: Int64, _ out: UnsafeMutablePointer<CChar>?, _ outSize: Int32,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let out, outSize > 0 else { return report(CORGI_INTERNAL, "corgi_state_parameters: null argument", into: error) }
    guard let s = decodeState(data, length, error) else { return reportedStatus(error) }
    let utf8 = Array(s.parameters.normalized.utf8)
    guard utf8.count < Int(outSize) else { return report(CORGI_PROGRAM_LIMIT, "parameter string is too long", into: error) }
    for (i, b) in utf8.enumerated() { out[i] = CChar(bitPattern: b) }
    out[utf8.count] = 0
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_state_weights(const void *data, int64_t length, double *weights, int64_t weight_count,
/// double *intercepts, int64_t intercept_count, double *classes, int64_t class_count, CorgiError *error)`.
/// Copies the weights (outputs x features), intercepts and softmax class values; the
/// counts must match corgi_state_describe's shape.
@_cdecl("corgi_state_weights")
public func corgi_state_weights(
    _ data: UnsafeRawPointer?, _ length: Int64, _ weights: UnsafeMutablePointer<Double>?, _ weightCount: Int64,
    _ intercepts: UnsafeMutablePointer<Double>?, _ interceptCount: Int64,
    _ classes: UnsafeMutablePointer<Double>?, _ classCount: Int64, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let s = decodeState(data, length, error) else { return reportedStatus(error) }
    let m = s.model
    guard classCount == Int64(m.classValues.count), classCount == 0 || classes != nil else {
        return report(CORGI_INTERNAL, "corgi_state_weights: buffer sizes do not match the model", into: error)
    }
    if let linear = m.linearModel {
        guard let weights, let intercepts, weightCount == Int64(linear.weights.count),
            interceptCount == Int64(linear.intercepts.count)
        else { return report(CORGI_INTERNAL, "corgi_state_weights: buffer sizes do not match the model", into: error) }
        for (i, w) in linear.weights.enumerated() { weights[i] = w }
        for (i, b) in linear.intercepts.enumerated() { intercepts[i] = b }
    } else {
        // A network has no coefficients: only its classes are asked for.
        guard weightCount == 0, interceptCount == 0 else {
            return report(CORGI_INTERNAL, "corgi_state_weights: a network has no coefficients", into: error)
        }
    }
    if let classes { for (i, c) in m.classValues.enumerated() { classes[i] = c } }
    return reportSuccess(into: error)
}

/// The Swift-owned trainer of one pass, held by C.
final class TrainerBox: ReleasedByGlue {
    let trainer: SGDTrainer
    init(_ trainer: SGDTrainer) { self.trainer = trainer }
    /// The worker thread is stopped and joined when C lets go, whatever else holds a reference.
    func glueWillRelease() { trainer.shutdown() }
}

/// The glue's handle on a ``SharedTrainingWorker``: its thread is joined when C lets go.
final class SharedWorkerBox: ReleasedByGlue {
    let shared: SharedTrainingWorker
    init(_ shared: SharedTrainingWorker) { self.shared = shared }
    func glueWillRelease() { shared.release() }
}

/// C: `void *corgi_shared_worker_create(void)`: a worker thread for the trainers of a
/// grouped pass (one retain for the glue), or NULL when the backend's one worker slot is
/// taken or no thread could start (the trainers then train inline, with the same results).
@_cdecl("corgi_shared_worker_create")
public func corgi_shared_worker_create() -> UnsafeMutableRawPointer? {
    guard let shared = SharedTrainingWorker.make() else { return nil }
    return retainedPointer(to: SharedWorkerBox(shared))
}

/// C: `int32_t corgi_trainer_open_synchronous(const void *data, int64_t length, void **trainer_out,
/// CorgiError *error)`: a trainer continuing from the state bytes that trains inline (one
/// buffer slot, no thread of its own): a grouped pass's ``GroupRowStager`` trains it on
/// the pass's worker.
@_cdecl("corgi_trainer_open_synchronous")
public func corgi_trainer_open_synchronous(
    _ data: UnsafeRawPointer?, _ length: Int64, _ trainerOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let trainerOut else { return report(CORGI_INTERNAL, "corgi_trainer_open_synchronous: null argument", into: error) }
    trainerOut.pointee = nil
    guard let snapshot = decodeState(data, length, error) else { return reportedStatus(error) }
    return handOut(SGDTrainer.make(from: snapshot, concurrent: false), to: trainerOut, error: error)
}

/// A trainer made for C: stored in `trainerOut` with one retain for the glue, or the
/// reason it could not be made reported.
func handOut(
    _ made: Result<SGDTrainer, SGDTrainer.Failure>, to trainerOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>,
    error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    switch made {
    case .success(let trainer):
        trainerOut.pointee = retainedPointer(to: TrainerBox(trainer))
        return reportSuccess(into: error)
    case .failure(.outOfMemory(let bytes)):
        return report(CORGI_PROGRAM_LIMIT, "could not allocate \(bytes / 1_048_576) MB for the tuple buffer",
                      hint: "Lower buffer_fraction or max_buffer_mb.", into: error)
    case .failure(.invalidShape(let why)):
        return report(CORGI_DATA_EXCEPTION, "invalid corgi state: \(why)", into: error)
    }
}

/// C: `int32_t corgi_trainer_open(void *previous, void *shared_worker, const void *data,
/// int64_t length, void **trainer_out, CorgiError *error)`: a trainer continuing from the
/// state bytes. `previous` (a trainer the caller still lets go, which must not train any
/// more; NULL: none) gives up its tuple buffer and worker thread when the shapes match:
/// a model-hopping participant keeps one buffer for every model it trains.
/// `shared_worker` (from corgi_shared_worker_create; NULL: none) trains the full buffers
/// of a buffer of at least ``SharedTrainingWorker/minimumBufferRows`` rows, shared with
/// the other groups of a grouped pass; the glue lets go of every such trainer before the
/// worker. Otherwise the trainer takes the backend's own worker slot if free, or trains
/// inline: the same model every way.
@_cdecl("corgi_trainer_open")
public func corgi_trainer_open(
    _ previous: UnsafeMutableRawPointer?, _ sharedWorker: UnsafeMutableRawPointer?, _ data: UnsafeRawPointer?,
    _ length: Int64, _ trainerOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let trainerOut else { return report(CORGI_INTERNAL, "corgi_trainer_open: null argument", into: error) }
    trainerOut.pointee = nil
    guard let snapshot = decodeState(data, length, error) else { return reportedStatus(error) }
    let old = borrow(previous, as: TrainerBox.self)?.trainer
    // Small buffers train inline: handing a few rows to the thread costs more than training them.
    let shared = snapshot.bufferCapacity >= SharedTrainingWorker.minimumBufferRows
        ? borrow(sharedWorker, as: SharedWorkerBox.self)?.shared : nil
    return handOut(SGDTrainer.make(from: snapshot, concurrent: true, reusing: old, sharedWorker: shared),
                   to: trainerOut, error: error)
}

/// C: `int32_t corgi_trainer_add(void *trainer, const double *features, int32_t count, double label,
/// const CorgiRowTag *row, int32_t *buffer_full, CorgiError *error)`.
/// Buffers a row; sets `*buffer_full` when the caller must drain corgi_trainer_train_step.
@_cdecl("corgi_trainer_add")
public func corgi_trainer_add(
    _ trainer: UnsafeMutableRawPointer?, _ features: UnsafePointer<Double>?, _ count: Int32, _ label: Double,
    _ row: UnsafePointer<CorgiRowTag>?, _ bufferFull: UnsafeMutablePointer<Int32>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let trainer, let bufferFull, count >= 0, features != nil || count == 0 else {
        return report(CORGI_INTERNAL, "corgi_trainer_add: invalid argument", into: error)
    }
    bufferFull.pointee = 0
    // Called once per row: borrow without a dynamic cast or retain/release. The glue
    // only ever passes the handle corgi_trainer_open made here.
    let outcome = Unmanaged<TrainerBox>.fromOpaque(trainer)._withUnsafeGuaranteedRef {
        $0.trainer.add(features: UnsafeBufferPointer(start: features, count: Int(count)), label: label)
    }
    switch outcome {
    case .success(.accepted):
        return reportSuccess(into: error)
    case .success(.bufferFull):
        bufferFull.pointee = 1
        return reportSuccess(into: error)
    case .failure(let failure):
        guard let box = borrow(trainer, as: TrainerBox.self) else {
            return report(CORGI_INTERNAL, "corgi_trainer_add: invalid trainer", into: error)
        }
        return reportRefusedRow(failure, kind: box.trainer.kind, row: row, into: error)
    }
}

/// Reports a row a trainer refused: which row (its heap position, or its place in the
/// pass), what is wrong with it, and a hint for the model kind.
func reportRefusedRow(
    _ failure: RowFailure, kind: ModelKind, row: UnsafePointer<CorgiRowTag>?, into error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    let which: String
    if let row = row?.pointee, row.kind == Int32(CORGI_ROW_HEAP_TUPLE.rawValue) {
        which = "row (\(row.block),\(row.offset))"
    } else {
        which = "row \(row?.pointee.position ?? 0) of the pass"
    }
    let hint: String
    switch failure {
    case .wrongFeatureCount: hint = "Every row must have the same number of features as the model."
    case .nonFiniteFeature: hint = "Remove or repair rows with NaN or infinite features."
    case .invalidLabel:
        switch kind {
        case .logistic, .svm: hint = "\(kind.name) labels must be boolean, 0/1 or -1/+1."
        case .softmax: hint = "The label is not one of the model's classes."
        case .linear, .svr: hint = "\(kind.name) labels must be finite numbers."
        }
    }
    return report(CORGI_DATA_EXCEPTION, "\(which) \(failure.message)", hint: hint, into: error)
}

/// C: `void corgi_trainer_skip(void *trainer)`: counts a row with a NULL label or features.
@_cdecl("corgi_trainer_skip")
public func corgi_trainer_skip(_ trainer: UnsafeMutableRawPointer?) {
    borrow(trainer, as: TrainerBox.self)?.trainer.skip()
}

/// C: `int32_t corgi_trainer_train_step(void *trainer)`: does a bounded amount of the
/// pending work (at most ~50 ms: hands a full buffer to the worker thread, or waits for
/// it); returns 1 while work remains, so C can check for interrupts between calls.
@_cdecl("corgi_trainer_train_step")
public func corgi_trainer_train_step(_ trainer: UnsafeMutableRawPointer?) -> Int32 {
    guard let t = borrow(trainer, as: TrainerBox.self)?.trainer else { return 0 }
    return t.advance() ? 1 : 0
}

/// C: `void corgi_trainer_finish_pass(void *trainer)`: queues the partial buffer;
/// drain corgi_trainer_train_step afterwards.
@_cdecl("corgi_trainer_finish_pass")
public func corgi_trainer_finish_pass(_ trainer: UnsafeMutableRawPointer?) {
    borrow(trainer, as: TrainerBox.self)?.trainer.finishPass()
}

/// C: `int32_t corgi_trainer_end_epoch(void *trainer, CorgiError *error)`.
@_cdecl("corgi_trainer_end_epoch")
public func corgi_trainer_end_epoch(_ trainer: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<CorgiError>?) -> Int32 {
    guard let t = borrow(trainer, as: TrainerBox.self)?.trainer else {
        return report(CORGI_INTERNAL, "corgi_trainer_end_epoch: invalid trainer", into: error)
    }
    guard t.endEpoch() else { return epochLimitReached(into: error) }
    return reportSuccess(into: error)
}

private func epochLimitReached(into error: UnsafeMutablePointer<CorgiError>?) -> Int32 {
    report(CORGI_PROGRAM_LIMIT, "the state has completed \(TrainerSnapshot.maximumEpochs) epochs, the most a state can count",
           hint: "Start from a fresh state made by corgi.sgd_state.", into: error)
}

/// C: `int32_t corgi_trainer_serialize(void *trainer, void **blob_out, CorgiError *error)`:
/// the state after a drained pass, as a ByteBlob.
@_cdecl("corgi_trainer_serialize")
public func corgi_trainer_serialize(
    _ trainer: UnsafeMutableRawPointer?, _ blobOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let box = borrow(trainer, as: TrainerBox.self), let blobOut else {
        return report(CORGI_INTERNAL, "corgi_trainer_serialize: invalid argument", into: error)
    }
    blobOut.pointee = nil
    guard let snapshot = box.trainer.snapshot else {
        return report(CORGI_INTERNAL, "corgi_trainer_serialize: rows are still buffered", into: error)
    }
    blobOut.pointee = retainedPointer(to: encode(snapshot))
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_state_end_epoch(const void *data, int64_t length, void **blob_out, CorgiError *error)`.
/// Closes the epoch of a state between passes (no buffer is allocated).
@_cdecl("corgi_state_end_epoch")
public func corgi_state_end_epoch(
    _ data: UnsafeRawPointer?, _ length: Int64, _ blobOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let blobOut else { return report(CORGI_INTERNAL, "corgi_state_end_epoch: null argument", into: error) }
    blobOut.pointee = nil
    guard let s = decodeState(data, length, error) else { return reportedStatus(error) }
    guard let next = s.endingEpoch() else { return epochLimitReached(into: error) }
    blobOut.pointee = retainedPointer(to: encode(next))
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_state_standardize(const void *data, int64_t length, const double *shift,
/// const double *scale, int32_t count, void **blob_out, CorgiError *error)`: a fresh network
/// state with its input standardization set (`(x - shift) * scale` per feature).
@_cdecl("corgi_state_standardize")
public func corgi_state_standardize(
    _ data: UnsafeRawPointer?, _ length: Int64, _ shift: UnsafePointer<Double>?, _ scale: UnsafePointer<Double>?,
    _ count: Int32, _ blobOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let blobOut else { return report(CORGI_INTERNAL, "corgi_state_standardize: null argument", into: error) }
    blobOut.pointee = nil
    guard let s = decodeState(data, length, error) else { return reportedStatus(error) }
    guard let network = s.model.network else {
        return report(CORGI_INVALID_ARGUMENT, "only mlp and mlp_regression states are standardized, not \(s.family.name)",
                      into: error)
    }
    guard s.epochsCompleted == 0, s.current.rows == 0 else {
        return report(CORGI_INVALID_ARGUMENT, "a state is standardized before training, this one has trained \(s.current.rows) rows in epoch \(s.epochsCompleted + 1)",
                      into: error)
    }
    guard let shift, let scale, Int(count) == network.featureCount else {
        return report(CORGI_INVALID_ARGUMENT, "standardization needs \(network.featureCount) means and scales, got \(count)",
                      into: error)
    }
    let shifts = (0..<Int(count)).map { shift[$0] }
    let scales = (0..<Int(count)).map { scale[$0] }
    guard let standardized = network.standardized(shift: shifts, scale: scales) else {
        return report(CORGI_INVALID_ARGUMENT, "standardization means must be finite and scales finite and positive",
                      into: error)
    }
    var next = s
    next.model = .network(standardized)
    if next.averaging != nil { next.averaging = TrainerSnapshot.AveragingState(iterate: .network(standardized), count: 0) }
    next.parameters.standardize = true
    blobOut.pointee = retainedPointer(to: encode(next))
    return reportSuccess(into: error)
}

/// C: `int64_t corgi_plan_buffer_rows(const char *shuffle, int64_t usable_rows, double fraction,
/// int32_t features, double full_shuffle_mb, double max_buffer_mb)`:
/// ``ShuffleMode/bufferRows(usableRows:bufferFraction:featureCount:fullShuffleMB:maxBufferMB:)``,
/// or -1 for an unknown shuffle.
@_cdecl("corgi_plan_buffer_rows")
public func corgi_plan_buffer_rows(_ shuffle: UnsafePointer<CChar>?, _ usableRows: Int64, _ fraction: Double,
                                   _ features: Int32, _ fullShuffleMB: Double, _ maxBufferMB: Double) -> Int64 {
    guard let shuffle, let mode = ShuffleMode(name: String(cString: shuffle)) else { return -1 }
    return mode.bufferRows(usableRows: usableRows, bufferFraction: fraction, featureCount: Int(max(1, features)),
                           fullShuffleMB: fullShuffleMB.isFinite ? fullShuffleMB : 0,
                           maxBufferMB: maxBufferMB.isFinite ? maxBufferMB : 0)
}

/// C: `double corgi_plan_block_mb(int64_t heap_bytes, int64_t page_bytes)`: ``defaultBlockMegabytes(heapBytes:pageBytes:)``.
@_cdecl("corgi_plan_block_mb")
public func corgi_plan_block_mb(_ heapBytes: Int64, _ pageBytes: Int64) -> Double {
    defaultBlockMegabytes(heapBytes: heapBytes, pageBytes: pageBytes)
}

/// C: `int32_t corgi_plan_buffer_mode(const char *shuffle, char *out, int32_t out_size)`:
/// the tuple buffer name (`corgi.sgd_state`'s `buffer`) of a shuffle mode
/// (``ShuffleMode/bufferMode``); 0 for an unknown shuffle.
@_cdecl("corgi_plan_buffer_mode")
public func corgi_plan_buffer_mode(_ shuffle: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<CChar>?,
                                   _ outSize: Int32) -> Int32 {
    guard let shuffle, let out, outSize > 0, let mode = ShuffleMode(name: String(cString: shuffle)) else { return 0 }
    let utf8 = Array(mode.bufferMode.name.utf8)
    guard utf8.count < Int(outSize) else { return 0 }
    for (i, b) in utf8.enumerated() { out[i] = CChar(bitPattern: b) }
    out[utf8.count] = 0
    return 1
}

/// C: `int32_t corgi_plan_names(int32_t list, char *out, int32_t out_size)`: the model
/// (list 0) or shuffle (list 1) names, comma-separated, NUL-terminated; 0 when they do
/// not fit or the list is unknown.
@_cdecl("corgi_plan_names")
public func corgi_plan_names(_ list: Int32, _ out: UnsafeMutablePointer<CChar>?, _ outSize: Int32) -> Int32 {
    guard let out, outSize > 0 else { return 0 }
    let names: [String]
    switch list {
    case 0: names = ModelFamily.allCases.map(\.name)
    case 1: names = ShuffleMode.allCases.map(\.name)
    default: return 0
    }
    let utf8 = Array(names.joined(separator: ",").utf8)
    guard utf8.count < Int(outSize) else { return 0 }
    for (i, b) in utf8.enumerated() { out[i] = CChar(bitPattern: b) }
    out[utf8.count] = 0
    return 1
}

/// C: `int32_t corgi_config_grid(const char *model, const char *grid, const char *search, int32_t count,
/// int64_t seed, void **blob_out, CorgiError *error)`: the configurations of a grid, as params
/// strings each followed by a NUL: every combination (search "grid", ``ConfigGrid``; count
/// and seed unused), or `count` drawn with `seed` (search "random", ``RandomSearch``).
@_cdecl("corgi_config_grid")
public func corgi_config_grid(
    _ model: UnsafePointer<CChar>?, _ grid: UnsafePointer<CChar>?, _ search: UnsafePointer<CChar>?, _ count: Int32,
    _ seed: Int64, _ blobOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let model, let grid, let search, let blobOut else {
        return report(CORGI_INTERNAL, "corgi_config_grid: null argument", into: error)
    }
    blobOut.pointee = nil
    let name = String(cString: model)
    guard let family = ModelFamily(name: name) else {
        return report(CORGI_INVALID_ARGUMENT, "unknown model \"\(name)\"",
                      hint: "Valid models: \(ModelFamily.validNames).", into: error)
    }
    let result: Result<[String], ConfigGrid.Failure>
    switch String(cString: search).lowercased() {
    case "grid": result = ConfigGrid.expand(String(cString: grid), family: family)
    case "random": result = RandomSearch.draw(String(cString: grid), family: family, count: Int(count), seed: seed)
    default:
        return report(CORGI_INVALID_ARGUMENT, "unknown search \"\(String(cString: search))\"",
                      hint: "Use grid (every combination) or random (n configurations drawn with a seed).", into: error)
    }
    switch result {
    case .failure(let f):
        return report(CORGI_INVALID_ARGUMENT, f.message, hint: f.hint, into: error)
    case .success(let configurations):
        var bytes: [UInt8] = []
        for params in configurations { bytes += Array(params.utf8); bytes.append(0) }
        blobOut.pointee = retainedPointer(to: ByteBlob(bytes: bytes))
        return reportSuccess(into: error)
    }
}

/// C: `int32_t corgi_hop_order(int32_t models, const int32_t *offsets, int32_t segments, int64_t seed,
/// int32_t epoch, int32_t *out, int64_t out_count, CorgiError *error)`: ``ModelHopSchedule``'s
/// visit order, `out[m * segments + j]` = model m's j-th segment; `offsets` NULL gives
/// model m the offset m mod segments (as `corgi.fit_multiple` does).
@_cdecl("corgi_hop_order")
public func corgi_hop_order(
    _ models: Int32, _ offsets: UnsafePointer<Int32>?, _ segments: Int32, _ seed: Int64, _ epoch: Int32,
    _ out: UnsafeMutablePointer<Int32>?, _ outCount: Int64, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    let shapeMessage = "a schedule needs 1 to \(ModelHopSchedule.maximumModels) models and 1 to \(ModelHopSchedule.maximumSegments) segments, at most \(ModelHopSchedule.maximumCells) of both multiplied, got \(models) and \(segments)"
    guard models >= 1, Int(models) <= ModelHopSchedule.maximumModels, segments >= 1 else {
        return report(CORGI_INVALID_ARGUMENT, shapeMessage, into: error)
    }
    let modelOffsets = (0..<Int(models)).map { m in offsets.map { Int($0[m]) } ?? m % Int(segments) }
    if let bad = modelOffsets.first(where: { $0 < 0 || $0 >= Int(segments) }) {
        return report(CORGI_INVALID_ARGUMENT, "segment_offset must be between 0 and \(segments - 1), got \(bad)",
                      hint: "A model's offset picks its row of the schedule; it is below segments.", into: error)
    }
    guard let schedule = ModelHopSchedule(offsets: modelOffsets, segments: Int(segments), seed: seed, epoch: Int(epoch))
    else { return report(CORGI_INVALID_ARGUMENT, shapeMessage, into: error) }
    guard let out, outCount == Int64(schedule.order.count) else {
        return report(CORGI_INTERNAL, "corgi_hop_order: output size does not match", into: error)
    }
    for (i, s) in schedule.order.enumerated() { out[i] = s }
    return reportSuccess(into: error)
}

/// The ``HopBoard`` over the glue's arrays, or nil for a shape that does not fit them.
private func hopBoard(
    _ models: Int32, _ segments: Int32, _ order: UnsafePointer<Int32>?, _ completed: UnsafeMutablePointer<Int32>?,
    _ modelBusy: UnsafeMutablePointer<UInt8>?, _ segmentBusy: UnsafeMutablePointer<UInt8>?
) -> HopBoard? {
    guard let order, let completed, let modelBusy, let segmentBusy, models >= 1, segments >= 1,
        Int(models) <= ModelHopSchedule.maximumModels, Int(segments) <= ModelHopSchedule.maximumSegments
    else { return nil }
    let k = Int(models), s = Int(segments)
    return HopBoard(models: k, segments: s, order: UnsafeBufferPointer(start: order, count: k * s),
                    completed: UnsafeMutableBufferPointer(start: completed, count: k),
                    modelBusy: UnsafeMutableBufferPointer(start: modelBusy, count: k),
                    segmentBusy: UnsafeMutableBufferPointer(start: segmentBusy, count: s))
}

/// C: `int32_t corgi_hop_pick(int32_t models, int32_t segments, const int32_t *order,
/// int32_t *completed, uint8_t *model_busy, uint8_t *segment_busy, int32_t *model_out,
/// int32_t *segment_out)`: ``HopBoard/pick()`` on shared memory (the caller holds its
/// lock). 1 when a job was picked, 0 when none is runnable yet, 2 when every visit is
/// done, -1 for a bad shape. Allocates nothing and never calls PostgreSQL: safe under a
/// spinlock.
@_cdecl("corgi_hop_pick")
public func corgi_hop_pick(
    _ models: Int32, _ segments: Int32, _ order: UnsafePointer<Int32>?, _ completed: UnsafeMutablePointer<Int32>?,
    _ modelBusy: UnsafeMutablePointer<UInt8>?, _ segmentBusy: UnsafeMutablePointer<UInt8>?,
    _ modelOut: UnsafeMutablePointer<Int32>?, _ segmentOut: UnsafeMutablePointer<Int32>?
) -> Int32 {
    guard let board = hopBoard(models, segments, order, completed, modelBusy, segmentBusy), let modelOut, let segmentOut
    else { return -1 }
    guard let job = board.pick() else { return board.isFinished ? 2 : 0 }
    modelOut.pointee = Int32(job.model)
    segmentOut.pointee = Int32(job.segment)
    return 1
}

/// C: `int32_t corgi_hop_complete(int32_t models, int32_t segments, const int32_t *order,
/// int32_t *completed, uint8_t *model_busy, uint8_t *segment_busy, int32_t model)`:
/// ``HopBoard/complete(model:)``; 1 done, 0 when the model was not running, -1 bad shape.
@_cdecl("corgi_hop_complete")
public func corgi_hop_complete(
    _ models: Int32, _ segments: Int32, _ order: UnsafePointer<Int32>?, _ completed: UnsafeMutablePointer<Int32>?,
    _ modelBusy: UnsafeMutablePointer<UInt8>?, _ segmentBusy: UnsafeMutablePointer<UInt8>?, _ model: Int32
) -> Int32 {
    guard let board = hopBoard(models, segments, order, completed, modelBusy, segmentBusy) else { return -1 }
    return board.complete(model: Int(model)) ? 1 : 0
}

/// C: `void corgi_segment_block_order(int32_t *blocks, int32_t count, int64_t model_seed,
/// int32_t epoch, int32_t segment)`: puts a segment's blocks (ascending) into the visiting
/// order of a model of run seed `model_seed`, in place (``SegmentPlan/shuffleBlocks``).
@_cdecl("corgi_segment_block_order")
public func corgi_segment_block_order(
    _ blocks: UnsafeMutablePointer<Int32>?, _ count: Int32, _ modelSeed: Int64, _ epoch: Int32, _ segment: Int32
) {
    guard let blocks, count > 1 else { return }
    SegmentPlan.shuffleBlocks(UnsafeMutableBufferPointer(start: blocks, count: Int(count)), segment: Int(segment),
                              modelSeed: modelSeed, epoch: Int(epoch))
}

/// Copies `text` NUL-terminated into the glue's buffer `out` of `size` bytes.
private func writeString(_ text: String, to out: UnsafeMutablePointer<CChar>?, size: Int32,
                         into error: UnsafeMutablePointer<CorgiError>?) -> Int32 {
    guard let out, size > 0 else { return report(CORGI_INTERNAL, "output buffer missing", into: error) }
    let utf8 = Array(text.utf8)
    guard utf8.count < Int(size) else {
        return report(CORGI_PROGRAM_LIMIT, "parameter string is too long (\(utf8.count) bytes)", into: error)
    }
    for (i, b) in utf8.enumerated() { out[i] = CChar(bitPattern: b) }
    out[utf8.count] = 0
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_params_merge(const char *base, const char *override, char *out,
/// int32_t out_size, CorgiError *error)`: ``TrainingParameters/merged(base:override:)``,
/// a config's params over `corgi.fit_multiple`'s shared params.
@_cdecl("corgi_params_merge")
public func corgi_params_merge(
    _ base: UnsafePointer<CChar>?, _ override: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<CChar>?,
    _ outSize: Int32, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let base, let override else { return report(CORGI_INTERNAL, "corgi_params_merge: null argument", into: error) }
    let merged = TrainingParameters.merged(base: String(cString: base), override: String(cString: override))
    return writeString(merged, to: out, size: outSize, into: error)
}

/// C: `int32_t corgi_segment_blocks(int64_t block_count, int32_t segments, int64_t seed, int32_t epoch,
/// int32_t *segment_of, CorgiError *error)`: ``SegmentPlan``: the segment of each block.
@_cdecl("corgi_segment_blocks")
public func corgi_segment_blocks(
    _ blockCount: Int64, _ segments: Int32, _ seed: Int64, _ epoch: Int32, _ segmentOf: UnsafeMutablePointer<Int32>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let plan = SegmentPlan(blockCount: Int(clamping: blockCount), segments: Int(segments), seed: seed, epoch: Int(epoch))
    else {
        return report(CORGI_INVALID_ARGUMENT,
                      "a segment plan needs 0 to \(SegmentPlan.maximumBlocks) blocks and 1 to \(ModelHopSchedule.maximumSegments) segments, got \(blockCount) and \(segments)",
                      into: error)
    }
    guard let segmentOf else { return report(CORGI_INTERNAL, "corgi_segment_blocks: null argument", into: error) }
    for (s, blocks) in plan.segmentBlocks.enumerated() { for b in blocks { segmentOf[b] = Int32(s) } }
    return reportSuccess(into: error)
}
