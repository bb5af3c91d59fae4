/// A model a ``BatchLearner`` trains: its parameters are one flat float64 array (owned
/// by the learner, so an optimizer sees every model alike), with a forward pass from a
/// batch of rows to scores and a backward pass from dLoss/dscores to a gradient. The
/// output layer is ``Objective`` (the model's ``ModelKind``).
///
/// Contract: float64; `forward` then `backward` on the same rows and workspace; both
/// deterministic (a fixed order of operations) and trap-free for any values. Parameters
/// `[0, penalizedCount)` are weights (L1 and L2 apply), the rest are biases.
public protocol TrainableModel: Sendable {
    var kind: ModelKind { get }
    var featureCount: Int { get }
    var outputs: Int { get }
    var parameterCount: Int { get }
    var penalizedCount: Int { get }
    /// The model's parameters, flat, in the order forward and backward read them.
    var flatParameters: [Double] { get }
    /// The same model with `parameters` (at least ``parameterCount`` of them).
    func replacingParameters(_ parameters: UnsafePointer<Double>) -> Self
    /// Doubles of workspace ``forward(parameters:inputs:rows:scores:workspace:)`` needs.
    func workspaceSize(rows: Int) -> Int
    /// `scores[r * outputs + o]` for the `rows` rows at `inputs` (row-major, `featureCount` each).
    func forward(parameters: UnsafePointer<Double>, inputs: UnsafePointer<Double>, rows: Int,
                 scores: UnsafeMutablePointer<Double>, workspace: UnsafeMutablePointer<Double>)
    /// The model as a state holds it.
    var asTrainedModel: TrainedModel { get }
    /// Adds the gradient summed over the rows to `gradient`, from `dScores` (rows x outputs).
    func backward(parameters: UnsafePointer<Double>, inputs: UnsafePointer<Double>, rows: Int,
                  dScores: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>,
                  workspace: UnsafeMutablePointer<Double>)
    /// Whether ``BatchLearner`` trains the model in float32 with the two functions below
    /// (its parameters, the optimizer and the loss stay float64; networks do, so that
    /// their matrix products and activations run twice as wide).
    var trainsInFloat32: Bool { get }
    /// ``forward(parameters:inputs:rows:scores:workspace:)`` in float32.
    func forward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int,
                 scores: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>)
    /// ``backward(parameters:inputs:rows:dScores:gradient:workspace:)`` in float32.
    func backward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int,
                  dScores: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                  workspace: UnsafeMutablePointer<Float>)
}

/// Models that train in float64 only: the float32 functions are never called.
extension TrainableModel {
    public var trainsInFloat32: Bool { false }
    public func forward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int,
                        scores: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>) {}
    public func backward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int,
                         dScores: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                         workspace: UnsafeMutablePointer<Float>) {}
}

extension LinearModel: TrainableModel {
    /// Weights (output-major) then intercepts.
    public var parameterCount: Int { featureCount * outputs + outputs }
    public var penalizedCount: Int { featureCount * outputs }
    public var flatParameters: [Double] { weights + intercepts }
    public var asTrainedModel: TrainedModel { .linear(self) }

    public func replacingParameters(_ parameters: UnsafePointer<Double>) -> LinearModel {
        var copy = self
        let n = featureCount * outputs
        copy.weights = (0..<n).map { parameters[$0] }
        copy.intercepts = (0..<outputs).map { parameters[n + $0] }
        return copy
    }

    public func workspaceSize(rows: Int) -> Int { 0 }

    public func forward(parameters: UnsafePointer<Double>, inputs: UnsafePointer<Double>, rows: Int,
                        scores: UnsafeMutablePointer<Double>, workspace: UnsafeMutablePointer<Double>) {
        let n = featureCount, k = outputs, b = parameters + n * k
        for r in 0..<rows {
            let x = inputs + r * n
            for o in 0..<k { scores[r * k + o] = b[o] + dot(parameters + o * n, x, n) }
        }
    }

    /// The intercepts' gradient is left at zero when the model has none (they stay 0).
    public func backward(parameters: UnsafePointer<Double>, inputs: UnsafePointer<Double>, rows: Int,
                         dScores: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>,
                         workspace: UnsafeMutablePointer<Double>) {
        let n = featureCount, k = outputs
        for r in 0..<rows {
            let x = inputs + r * n
            for o in 0..<k {
                let g = dScores[r * k + o]
                if g == 0 { continue }
                let row = gradient + o * n
                for i in 0..<n { row[i] += g * x[i] }
                if hasIntercept { gradient[n * k + o] += g }
            }
        }
    }
}
