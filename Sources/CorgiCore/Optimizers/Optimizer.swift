/// An update rule over a flat parameter array, with the state it keeps between updates.
///
/// Contract: ``step(parameters:gradientSum:rows:learningRate:)`` applies one update from
/// the gradient summed over `rows` rows (the mean is `gradientSum / rows`); parameters
/// `[0, penalizedCount)` take the L2 and L1 penalties, the rest (biases) do not.
/// float64, deterministic, never traps; a zero gradient on an unpenalized parameter
/// leaves it unchanged (so a model without intercepts keeps them at 0).
protocol Optimizer: AnyObject {
    var kind: OptimizerKind { get }
    func step(parameters: UnsafeMutablePointer<Double>, gradientSum: UnsafePointer<Double>, rows: Int,
              learningRate: Double)
    /// What must be saved to continue exactly (and ``OptimizerState`` restores).
    var state: OptimizerState { get }
}

/// An optimizer's saved state: SGD's cumulative L1 penalty, momentum's velocity, Adam's
/// step count and moments. Arrays are empty when the optimizer keeps none.
public struct OptimizerState: Equatable, Sendable {
    /// Updates applied (Adam's t).
    public var steps: Int64 = 0
    /// SGD: the L1 penalty each weight could have received so far (`l1Total`).
    public var l1Total: Double = 0
    /// SGD: the L1 penalty each weight received (when l1 > 0); momentum: the velocity;
    /// Adam: the first moment.
    public var first: [Double] = []
    /// Adam: the second moment.
    public var second: [Double] = []
    public init() {}
    public init(steps: Int64, l1Total: Double, first: [Double], second: [Double]) {
        self.steps = steps; self.l1Total = l1Total; self.first = first; self.second = second
    }

    /// The most updates a state may count (a decoded state is refused beyond it).
    public static let maximumSteps: Int64 = 1 << 62
}

/// The optimizer `parameters.optimizer` names, continuing from `state` (nil: fresh), or
/// nil when its arrays do not have `parameterCount` (or `penalizedCount`) entries.
func makeOptimizer(_ parameters: TrainingParameters, parameterCount: Int, penalizedCount: Int,
                   state: OptimizerState?) -> Optimizer? {
    switch parameters.optimizer {
    case .sgd:
        return SGDOptimizer(parameters: parameters, parameterCount: parameterCount,
                            penalizedCount: penalizedCount, state: state)
    case .momentum:
        return MomentumOptimizer(parameters: parameters, parameterCount: parameterCount,
                                 penalizedCount: penalizedCount, state: state)
    case .adam:
        return AdamOptimizer(parameters: parameters, parameterCount: parameterCount,
                             penalizedCount: penalizedCount, state: state)
    }
}
