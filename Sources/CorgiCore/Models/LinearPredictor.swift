/// A linear model's parameters in memory of its own, for predicting row after row:
/// ``predict(_:)`` touches no Swift array, so a call costs no reference counting (the
/// per-row path of `corgi.predict`; a `LinearModel` held in an enum was copied, with its
/// three arrays retained and released, on every row).
///
/// Contract: the prediction is bit for bit ``ScoringModel/predict(_:)``'s, from the same
/// scores (`LinearModel.scores`: the intercept plus the dot product in index order).
public final class LinearPredictor {
    public let kind: ModelKind
    public let featureCount: Int
    public let outputs: Int
    private let weights: UnsafeMutableBufferPointer<Double>
    private let intercepts: UnsafeMutableBufferPointer<Double>
    private let classValues: UnsafeMutableBufferPointer<Double>
    /// The class values as the label mapping takes them (``ModelKind/target(forLabel:classValues:)``).
    private let classValueList: [Double]
    /// svr's epsilon (``LinearModel/lossMargin``), for the loss of an evaluation.
    public let lossMargin: Double

    /// nil when the model's arrays do not have its shape (a model that decoded has it).
    public init?(_ model: LinearModel) {
        guard model.outputs >= 1, model.intercepts.count == model.outputs,
              model.featureCount >= 0, model.weights.count == model.outputs * model.featureCount,
              model.kind != .softmax || model.classValues.count == model.outputs
        else { return nil }
        kind = model.kind
        featureCount = model.featureCount
        outputs = model.outputs
        weights = .allocate(capacity: model.weights.count)
        _ = weights.initialize(from: model.weights)
        intercepts = .allocate(capacity: model.intercepts.count)
        _ = intercepts.initialize(from: model.intercepts)
        classValues = .allocate(capacity: model.classValues.count)
        _ = classValues.initialize(from: model.classValues)
        classValueList = model.classValues
        lossMargin = model.lossMargin
    }

    deinit {
        weights.deallocate()
        intercepts.deallocate()
        classValues.deallocate()
    }

    /// The prediction for one row; nil for a wrong feature count.
    @inline(__always)
    public func predict(_ features: UnsafeBufferPointer<Double>) -> Double? {
        guard features.count == featureCount else { return nil }
        return Self.prediction(kind: kind, featureCount: featureCount, outputs: outputs,
                               weights: UnsafeBufferPointer(weights), intercepts: UnsafeBufferPointer(intercepts),
                               classValues: UnsafeBufferPointer(classValues), features: features)
    }

    /// One row of an evaluation, bit for bit ``ScoringModel/evaluate(_:label:)``'s for the
    /// model it was made from (the same scores, target, loss by ``Objective`` and
    /// prediction), its scores and gradient on the stack: the per-row path of
    /// `corgi.evaluate` and of validation, where a `TrainedModel` copied its arrays and
    /// allocated the scores on every row.
    public func evaluate(_ features: UnsafeBufferPointer<Double>, label: Double)
        -> Result<(score: Double, loss: Double, predicted: Double), RowFailure>
    {
        guard features.count == featureCount, outputs >= 1 else {
            return .failure(.wrongFeatureCount(got: features.count, expected: featureCount))
        }
        guard let target = kind.target(forLabel: label, classValues: classValueList) else {
            return .failure(.invalidLabel(value: label))
        }
        let n = featureCount, kind = kind, margin = lossMargin, outputs = outputs
        let w = UnsafeBufferPointer(weights), b = UnsafeBufferPointer(intercepts)
        let classes = UnsafeBufferPointer(classValues)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * outputs) { scratch in
            let z = UnsafeMutableBufferPointer(rebasing: scratch[0..<outputs])
            let gradient = UnsafeMutableBufferPointer(rebasing: scratch[outputs..<(2 * outputs)])
            for k in 0..<outputs {
                if n > 0, let x = features.baseAddress, let wk = w.baseAddress {
                    z[k] = b[k] + dot(wk + k * n, x, n)
                } else {
                    z[k] = b[k] + 0.0
                }
            }
            let loss = Objective.lossAndGradient(kind: kind, scores: UnsafeBufferPointer(z), target: target,
                                                 gradient: gradient, margin: margin)
            let predicted: Double
            switch kind {
            case .linear, .svr: predicted = z[0]
            case .logistic, .svm: predicted = z[0] > 0 ? 1 : 0
            case .softmax:
                var best = 0
                for k in 1..<outputs where z[k] > z[best] { best = k }
                predicted = best < classes.count ? classes[best] : .nan
            }
            return .success((z[0], loss, predicted))
        }
    }

    /// The prediction from a linear model's parameters: `z[k] = b[k] + W[k] . x` (the dot
    /// product in index order, 0.0 for no features, as `LinearModel.scores`), then the value
    /// (linear), `z[0] > 0 ? 1 : 0` (logistic, svm) or the class value of the first highest
    /// score (softmax). Requires `weights.count == outputs * featureCount`,
    /// `intercepts.count == outputs >= 1`, `features.count == featureCount` and, for softmax,
    /// `classValues.count == outputs` (``init(_:)`` checks them, and this guards them again).
    @inline(__always)
    private static func prediction(
        kind: ModelKind, featureCount: Int, outputs: Int,
        weights: UnsafeBufferPointer<Double>, intercepts: UnsafeBufferPointer<Double>,
        classValues: UnsafeBufferPointer<Double>, features: UnsafeBufferPointer<Double>
    ) -> Double? {
        guard outputs >= 1, intercepts.count >= outputs, weights.count >= outputs * featureCount,
              features.count == featureCount else { return nil }
        func score(_ k: Int) -> Double {
            guard featureCount > 0, let x = features.baseAddress, let w = weights.baseAddress else { return intercepts[k] + 0.0 }
            return intercepts[k] + dot(w + k * featureCount, x, featureCount)
        }
        switch kind {
        case .linear, .svr: return score(0)
        case .logistic, .svm: return score(0) > 0 ? 1 : 0
        case .softmax:
            guard classValues.count >= outputs else { return nil }
            var best = 0
            var bestScore = score(0)
            for k in 1..<outputs {
                let z = score(k)
                if z > bestScore { best = k; bestScore = z }
            }
            return classValues[best]
        }
    }
}
