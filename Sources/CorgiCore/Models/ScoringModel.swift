/// What predict, predict_proba and evaluate need from a trained model: its output layer
/// (``kind``), its shape, and its scores for one row. Everything else (probabilities,
/// the prediction, an evaluation row) follows from the scores and ``Objective``, the
/// same for the linear family and for networks.
public protocol ScoringModel: Sendable {
    var kind: ModelKind { get }
    var featureCount: Int { get }
    var outputs: Int { get }
    var classValues: [Double] { get }
    /// svr's epsilon, which its loss needs (``Objective``); 0 for the other kinds.
    var lossMargin: Double { get }
    /// The scores for one row, one per output; nil if `features.count != featureCount`.
    func scores(_ features: UnsafeBufferPointer<Double>) -> [Double]?
}

extension ScoringModel {
    /// No margin: only a linear svr model keeps one.
    public var lossMargin: Double { 0 }

    /// Class probabilities: softmax of the scores (softmax), `[1 - p, p]` with
    /// `p = sigmoid(z)` (logistic). nil for linear and svm, which have none, and for a
    /// wrong feature count.
    public func probabilities(_ features: UnsafeBufferPointer<Double>) -> [Double]? {
        guard let z = scores(features) else { return nil }
        switch kind {
        case .logistic:
            let p = Objective.sigmoid(z[0])
            return [1 - p, p]
        case .softmax:
            return Objective.softmax(z)
        case .linear, .svm, .svr:
            return nil
        }
    }

    /// The prediction: the value (linear), 1 or 0 for the positive or negative class
    /// (logistic, svm: positive when `z > 0`), or the class value with the highest
    /// score (softmax; the first on ties). nil for a wrong feature count.
    public func predict(_ features: UnsafeBufferPointer<Double>) -> Double? {
        scores(features).map(prediction(fromScores:))
    }

    /// The prediction for scores `z` (one per output).
    func prediction(fromScores z: [Double]) -> Double {
        switch kind {
        case .linear, .svr: return z[0]
        case .logistic, .svm: return z[0] > 0 ? 1 : 0
        case .softmax:
            var best = 0
            for k in 1..<z.count where z[k] > z[best] { best = k }
            return classValues[best]
        }
    }

    /// One row of an evaluation: the first score, the row's loss as training computes it
    /// (``Objective``), and the prediction. `label` is the raw label as training takes it
    /// (``ModelKind/target(forLabel:classValues:)``: the value for linear; 1, 0 or -1 for
    /// logistic and svm; a class value for softmax); a label training would refuse is
    /// refused here too (`.invalidLabel`), as is a wrong feature count.
    public func evaluate(_ features: UnsafeBufferPointer<Double>, label: Double)
        -> Result<(score: Double, loss: Double, predicted: Double), RowFailure>
    {
        guard let z = scores(features) else {
            return .failure(.wrongFeatureCount(got: features.count, expected: featureCount))
        }
        guard let target = kind.target(forLabel: label, classValues: classValues) else {
            return .failure(.invalidLabel(value: label))
        }
        let loss = z.withUnsafeBufferPointer { scores in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: z.count) { gradient in
                Objective.lossAndGradient(kind: kind, scores: scores, target: target, gradient: gradient,
                                          margin: lossMargin)
            }
        }
        return .success((z[0], loss, prediction(fromScores: z)))
    }
}
