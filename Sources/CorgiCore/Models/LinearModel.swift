/// The parameters of a linear model: `outputs` rows of `featureCount` weights
/// (row-major) and one intercept per output.
///
/// Contract: float64 throughout. Scoring is a plain dot product in feature order, so
/// it is deterministic. Methods taking features return nil when the feature count is
/// wrong instead of trapping; a NaN feature gives a NaN score (callers validate input).
public struct LinearModel: ScoringModel, Equatable, Sendable {
    public let kind: ModelKind
    public let featureCount: Int
    /// 1 for linear, logistic and svm; K for softmax.
    public let outputs: Int
    /// Whether the intercept is trained (it stays 0 otherwise).
    public let hasIntercept: Bool
    /// Softmax: the K class values, ascending; binary and linear: empty.
    public let classValues: [Double]
    /// `outputs * featureCount` weights, output-major.
    public internal(set) var weights: [Double]
    /// `outputs` intercepts.
    public internal(set) var intercepts: [Double]
    /// svr's epsilon (``TrainingParameters/svrEpsilon``), for its loss; 0 otherwise.
    public internal(set) var lossMargin: Double = 0

    /// A zero-initialised model, or nil for an inconsistent shape.
    public init?(kind: ModelKind, featureCount: Int, hasIntercept: Bool, classValues: [Double] = []) {
        guard featureCount >= 1, featureCount <= LinearModel.maximumFeatures else { return nil }
        let outputs: Int
        if kind == .softmax {
            guard classValues.count >= 2, classValues.count <= LinearModel.maximumClasses,
                classValues.allSatisfy(\.isFinite),
                zip(classValues, classValues.dropFirst()).allSatisfy({ $0 < $1 })
            else { return nil }
            outputs = classValues.count
        } else {
            guard classValues.isEmpty else { return nil }
            outputs = 1
        }
        guard featureCount * outputs <= LinearModel.maximumWeights else { return nil }
        self.kind = kind
        self.featureCount = featureCount
        self.outputs = outputs
        self.hasIntercept = hasIntercept
        self.classValues = classValues
        self.weights = [Double](repeating: 0, count: featureCount * outputs)
        self.intercepts = [Double](repeating: 0, count: outputs)
    }

    /// Rebuilds a model from stored parameters (deserialization), or nil if the sizes
    /// do not match the shape.
    init?(kind: ModelKind, featureCount: Int, hasIntercept: Bool, classValues: [Double],
          weights: [Double], intercepts: [Double], lossMargin: Double = 0) {
        guard var model = LinearModel(kind: kind, featureCount: featureCount,
                                      hasIntercept: hasIntercept, classValues: classValues),
            weights.count == model.weights.count, intercepts.count == model.intercepts.count
        else { return nil }
        model.weights = weights
        model.intercepts = intercepts
        model.lossMargin = kind == .svr ? lossMargin : 0
        self = model
    }

    /// Up to 1,000,000 features per row.
    public static let maximumFeatures = 1_000_000
    /// Up to 1,000 softmax classes.
    public static let maximumClasses = 1_000
    /// Up to 2^27 weights (1 GiB of float64).
    public static let maximumWeights = 1 << 27

    /// The scores `z = W x + b`, one per output; nil if `features.count != featureCount`.
    public func scores(_ features: UnsafeBufferPointer<Double>) -> [Double]? {
        guard features.count == featureCount else { return nil }
        var z = intercepts
        weights.withUnsafeBufferPointer { w in
            for k in 0..<outputs {
                z[k] += dot(w.baseAddress! + k * featureCount, features.baseAddress!, featureCount)
            }
        }
        return z
    }

}

/// `sum(a[i] * b[i])` for `i` in `0..<count`, in index order.
@inline(__always)
func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
    var sum = 0.0
    for i in 0..<count { sum += a[i] * b[i] }
    return sum
}
