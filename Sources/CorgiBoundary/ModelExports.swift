import CorgiABI
import CorgiCore

/// A deserialized model held by C for scoring (predict, predict_proba, evaluate).
final class ModelBox {
    let model: TrainedModel
    /// A linear model's per-row predict path (nil for a network).
    let linearPredictor: LinearPredictor?
    let featureCount: Int
    init(_ model: TrainedModel) {
        self.model = model
        linearPredictor = model.linearModel.flatMap(LinearPredictor.init)
        featureCount = model.featureCount
    }
}

/// C: `int32_t corgi_model_open(const void *data, int64_t length, void **model_out, CorgiError *error)`.
/// Reads the model out of a state or model bytea (no training buffer is allocated).
@_cdecl("corgi_model_open")
public func corgi_model_open(
    _ data: UnsafeRawPointer?, _ length: Int64, _ modelOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let modelOut else { return report(CORGI_INTERNAL, "corgi_model_open: null argument", into: error) }
    modelOut.pointee = nil
    let bytes = UnsafeRawBufferPointer(start: length > 0 ? data : nil, count: data != nil && length > 0 ? Int(length) : 0)
    switch TrainerCodec.decode(bytes) {
    case .success(let snapshot):
        modelOut.pointee = retainedPointer(to: ModelBox(snapshot.model))
        return reportSuccess(into: error)
    case .failure(let failure):
        return report(CORGI_DATA_EXCEPTION, "invalid corgi model: \(failure.reason)",
                      hint: "The model column must come from corgi.train or corgi.sgd.", into: error)
    }
}

/// C: `int32_t corgi_model_shape(void *model, int32_t *kind, int32_t *feature_count, int32_t *outputs)`.
@_cdecl("corgi_model_shape")
public func corgi_model_shape(
    _ model: UnsafeMutableRawPointer?, _ kind: UnsafeMutablePointer<Int32>?,
    _ featureCount: UnsafeMutablePointer<Int32>?, _ outputs: UnsafeMutablePointer<Int32>?
) -> Int32 {
    guard let m = borrow(model, as: ModelBox.self)?.model else { return 0 }
    kind?.pointee = Int32(m.kind.rawValue)
    featureCount?.pointee = Int32(m.featureCount)
    outputs?.pointee = Int32(m.outputs)
    return 1
}

/// A model's traits as the C glue reads them (`CorgiModelTraits`).
func cTraits(_ traits: ModelTraits) -> CorgiModelTraits {
    CorgiModelTraits(task: traits.task.rawValue, outputs: Int32(clamping: traits.outputs),
                     probability_outputs: Int32(clamping: traits.probabilityOutputs),
                     ranks_scores: traits.ranksScores ? 1 : 0, predicts_labels: traits.predictsLabels ? 1 : 0)
}

/// C: `int32_t corgi_model_traits(void *model, CorgiModelTraits *traits)`: what the model is
/// for (``ModelTraits``); 0 for an invalid handle.
@_cdecl("corgi_model_traits")
public func corgi_model_traits(_ model: UnsafeMutableRawPointer?, _ traits: UnsafeMutablePointer<CorgiModelTraits>?) -> Int32 {
    guard let m = borrow(model, as: ModelBox.self)?.model, let traits else { return 0 }
    traits.pointee = cTraits(m.kind.traits(classCount: m.classValues.count))
    return 1
}

/// C: `int32_t corgi_family_traits(const char *model, CorgiModelTraits *traits, int32_t *network)`:
/// what a model named in SQL is for (``ModelFamily``'s output layer's traits, the per-class
/// counts as for two classes) and whether it is a network (1) or linear (0); 0 for a name
/// that is no model.
@_cdecl("corgi_family_traits")
public func corgi_family_traits(
    _ model: UnsafePointer<CChar>?, _ traits: UnsafeMutablePointer<CorgiModelTraits>?, _ network: UnsafeMutablePointer<Int32>?
) -> Int32 {
    guard let model, let traits, let network, let family = ModelFamily(name: String(cString: model)) else { return 0 }
    traits.pointee = cTraits(family.objective.traits(classCount: 2))
    network.pointee = family.isNetwork ? 1 : 0
    return 1
}

/// C: `int32_t corgi_family_exact_solver(const char *model, char *out, int32_t size)`: the
/// name of the exact solver of a model named in SQL (``ModelFamily/exactSolver``) into `out`
/// (NUL-terminated): 1; 0 when the model has none; -1 for a name that is no model or a
/// buffer too small.
@_cdecl("corgi_family_exact_solver")
public func corgi_family_exact_solver(_ model: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<CChar>?,
                                      _ size: Int32) -> Int32 {
    guard let model, let out, size > 0, let family = ModelFamily(name: String(cString: model)) else { return -1 }
    guard let solver = family.exactSolver else { return 0 }
    let bytes = Array(solver.utf8)
    guard bytes.count < Int(size) else { return -1 }
    for (i, b) in bytes.enumerated() { out[i] = CChar(bitPattern: b) }
    out[bytes.count] = 0
    return 1
}

private func checkedFeatures(
    _ m: ModelBox, _ features: UnsafePointer<Double>?, _ count: Int32, _ error: UnsafeMutablePointer<CorgiError>?
) -> UnsafeBufferPointer<Double>? {
    guard Int(count) == m.featureCount, let features else {
        report(CORGI_DATA_EXCEPTION, "features have \(count) values, the model expects \(m.featureCount)",
               hint: "Pass the same features the model was trained on.", into: error)
        return nil
    }
    let row = UnsafeBufferPointer(start: features, count: Int(count))
    if let i = FiniteCheck.firstNonFinite(row) {
        report(CORGI_DATA_EXCEPTION, "feature \(i + 1) is \(NumberFormat.sql(features[i]))", hint: "Features must be finite numbers.", into: error)
        return nil
    }
    return row
}

/// C: `int32_t corgi_model_predict(void *model, const double *features, int32_t count, double *out, CorgiError *error)`:
/// the value (linear), 1 or 0 (logistic, svm), or the class value (softmax).
/// Called once per row: borrows without a dynamic cast or a retain (the glue passes only
/// what corgi_model_open made; in a profile of whole-row scoring the checked borrow's
/// retain and release were 3% of the samples).
@_cdecl("corgi_model_predict")
public func corgi_model_predict(
    _ model: UnsafeMutableRawPointer?, _ features: UnsafePointer<Double>?, _ count: Int32,
    _ out: UnsafeMutablePointer<Double>?, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let model, let out else {
        return report(CORGI_INTERNAL, "corgi_model_predict: invalid argument", into: error)
    }
    return Unmanaged<ModelBox>.fromOpaque(model)._withUnsafeGuaranteedRef { box in
        guard let x = checkedFeatures(box, features, count, error) else { return reportedStatus(error) }
        if let linear = box.linearPredictor {
            out.pointee = linear.predict(x) ?? .nan
        } else {
            out.pointee = box.model.predict(x) ?? .nan
        }
        return reportSuccess(into: error)
    }
}

/// C: `int32_t corgi_model_outputs(void *model, int32_t probabilities, const double *features, int32_t count,
/// double *out, int32_t out_count, CorgiError *error)`: the scores (probabilities = 0)
/// or class probabilities (1; logistic and softmax only) into `out[0..<outputs]`
/// (2 values for logistic probabilities).
@_cdecl("corgi_model_outputs")
public func corgi_model_outputs(
    _ model: UnsafeMutableRawPointer?, _ probabilities: Int32, _ features: UnsafePointer<Double>?, _ count: Int32,
    _ out: UnsafeMutablePointer<Double>?, _ outCount: Int32, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let box = borrow(model, as: ModelBox.self), let out else {
        return report(CORGI_INTERNAL, "corgi_model_outputs: invalid argument", into: error)
    }
    guard let x = checkedFeatures(box, features, count, error) else { return reportedStatus(error) }
    let m = box.model
    let values: [Double]
    if probabilities != 0 {
        guard let p = m.probabilities(x) else {
            return report(CORGI_INVALID_ARGUMENT, "\(m.kind.name) models have no class probabilities",
                          hint: "Use corgi.predict for \(m.kind.name) models.", into: error)
        }
        values = p
    } else {
        values = m.scores(x) ?? []
    }
    guard values.count == Int(outCount) else {
        return report(CORGI_INTERNAL, "corgi_model_outputs: expected \(outCount) outputs, have \(values.count)", into: error)
    }
    for (i, v) in values.enumerated() { out[i] = v }
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_model_evaluate_row(void *model, const double *features, int32_t count, double label,
/// const CorgiRowTag *row, double *score, double *loss, double *predicted, CorgiError *error)`: one row
/// of corgi.evaluate (``ScoringModel/evaluate(_:label:)``). A label training refuses is
/// refused here too, naming the row as training does.
@_cdecl("corgi_model_evaluate_row")
public func corgi_model_evaluate_row(
    _ model: UnsafeMutableRawPointer?, _ features: UnsafePointer<Double>?, _ count: Int32, _ label: Double,
    _ row: UnsafePointer<CorgiRowTag>?,
    _ score: UnsafeMutablePointer<Double>?, _ loss: UnsafeMutablePointer<Double>?,
    _ predicted: UnsafeMutablePointer<Double>?, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let model, let score, let loss, let predicted else {
        return report(CORGI_INTERNAL, "corgi_model_evaluate_row: invalid argument", into: error)
    }
    // Borrowed without a cast and retain, as corgi_model_predict; a linear model by its
    // LinearPredictor (no Swift array per row), a network by its model.
    return Unmanaged<ModelBox>.fromOpaque(model)._withUnsafeGuaranteedRef { box in
        guard let x = checkedFeatures(box, features, count, error) else { return reportedStatus(error) }
        let result = box.linearPredictor.map { $0.evaluate(x, label: label) } ?? box.model.evaluate(x, label: label)
        switch result {
        case .success(let scored):
            score.pointee = scored.score
            loss.pointee = scored.loss
            predicted.pointee = scored.predicted
            return reportSuccess(into: error)
        case .failure(let failure):
            return reportRefusedRow(failure, kind: box.model.kind, row: row, into: error)
        }
    }
}

/// C: `double corgi_epoch_block_seed(int64_t seed, int32_t epoch)`: the REPEATABLE value
/// of an epoch's block order.
@_cdecl("corgi_epoch_block_seed")
public func corgi_epoch_block_seed(_ seed: Int64, _ epoch: Int32) -> Double {
    SeedDerivation.blockOrderSeed(runSeed: seed, epoch: Int(epoch))
}
